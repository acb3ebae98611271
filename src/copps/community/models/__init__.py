"""The community app's records: service requests (Open311) with their photos and replies, and
anonymous tips with their two-way conversation."""

from .frontdoor import ReplyTemplate, RequestPhoto, RequestReply
from .requests import (
    ApiKey,
    Routing,
    Service,
    ServiceAttribute,
    ServiceRequest,
    ServiceRequestToken,
    StateChange,
    new_public_id,
)
from .tips import Tip, TipMessage

__all__ = [
    "ApiKey",
    "ReplyTemplate",
    "RequestPhoto",
    "RequestReply",
    "Routing",
    "Service",
    "ServiceAttribute",
    "ServiceRequest",
    "ServiceRequestToken",
    "StateChange",
    "Tip",
    "TipMessage",
    "new_public_id",
]
