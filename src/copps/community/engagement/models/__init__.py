"""The engagement models, one module per topic."""

from copps.community.engagement.models.beats import BeatAssignment, GazetteerBlock
from copps.community.engagement.models.partnerships import Meeting, WatchGroup, WatchJoinRequest, WatchMember
from copps.community.engagement.models.subscriptions import NotifyRun, SentItem, Subscription
from copps.community.engagement.models.surveys import Answer, Question, Survey, SurveyResponse

__all__ = [
    "Answer",
    "BeatAssignment",
    "GazetteerBlock",
    "Meeting",
    "NotifyRun",
    "Question",
    "SentItem",
    "Subscription",
    "Survey",
    "SurveyResponse",
    "WatchGroup",
    "WatchJoinRequest",
    "WatchMember",
]
