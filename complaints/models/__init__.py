"""The complaints app's models: ``setup`` (how a tenant handles complaints) and ``case`` (the
complaints themselves and their record)."""

from complaints.models.access import AccessKey
from complaints.models.case import (
    Attachment,
    Complaint,
    ComplaintLink,
    CorrectiveAction,
    Message,
    ReferenceSequence,
    SlaAlert,
    SlaCheck,
    Transition,
    attachment_path,
)
from complaints.models.setup import (
    DEFAULT_PRIORITY_MATRIX,
    Category,
    Channel,
    ComplaintSettings,
    Level,
    Priority,
    RootCause,
    RoutingRule,
    Severity,
    SlaPolicy,
)

__all__ = [
    "DEFAULT_PRIORITY_MATRIX",
    "AccessKey",
    "Attachment",
    "Category",
    "Channel",
    "Complaint",
    "ComplaintLink",
    "ComplaintSettings",
    "CorrectiveAction",
    "Level",
    "Message",
    "Priority",
    "ReferenceSequence",
    "RootCause",
    "RoutingRule",
    "Severity",
    "SlaAlert",
    "SlaCheck",
    "SlaPolicy",
    "Transition",
    "attachment_path",
]
