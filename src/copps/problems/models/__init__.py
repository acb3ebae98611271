"""The problem-solving workspace's records, one small module per topic."""

from .assessment import Assessment
from .candidate import Candidate
from .community import RequestLink, TipLink
from .ddacts import DdactsZone, Dosage
from .evidence import EventLink, ExternalLink, SavedAnalysis
from .partners import ControllerRole, Partner, ProblemPartner
from .prevention import PreventionTask, PreventionWindow
from .problem import STAGE_ORDER, Activity, Problem, ProblemType, Stage, StageChange
from .response import Objective, ResponsePlan, Task
from .triangle import Hypothesis, TriangleEntry

__all__ = [
    "STAGE_ORDER",
    "Activity",
    "Assessment",
    "Candidate",
    "DdactsZone",
    "Dosage",
    "ControllerRole",
    "EventLink",
    "ExternalLink",
    "Hypothesis",
    "Objective",
    "Partner",
    "PreventionTask",
    "PreventionWindow",
    "Problem",
    "ProblemPartner",
    "ProblemType",
    "RequestLink",
    "ResponsePlan",
    "SavedAnalysis",
    "Stage",
    "StageChange",
    "Task",
    "TipLink",
    "TriangleEntry",
]
