"""ORM models, one file per table. Importing this package registers every table."""

from tandem.models.aggregate import Aggregate
from tandem.models.api_token import ApiToken
from tandem.models.appeal import Appeal
from tandem.models.assignment import Assignment
from tandem.models.audit_event import AuditEvent
from tandem.models.expert import Expert
from tandem.models.external_income import ExternalIncome
from tandem.models.fx_rate import FxRate
from tandem.models.item import Item
from tandem.models.ledger_entry import LedgerEntry
from tandem.models.membership import Membership
from tandem.models.organization import Organization
from tandem.models.pay_run import PayRun
from tandem.models.project import Project
from tandem.models.project_removal import ProjectRemoval
from tandem.models.qualification import Qualification, QualificationGrant
from tandem.models.review import Review
from tandem.models.review_task import ReviewTask
from tandem.models.submission import Submission
from tandem.models.trust import QualityState, Trust
from tandem.models.user import User
from tandem.models.work_session import WorkSession

__all__ = [
    "Aggregate",
    "ApiToken",
    "Appeal",
    "Assignment",
    "AuditEvent",
    "Expert",
    "ExternalIncome",
    "FxRate",
    "Item",
    "LedgerEntry",
    "Membership",
    "Organization",
    "PayRun",
    "Project",
    "ProjectRemoval",
    "Qualification",
    "QualificationGrant",
    "QualityState",
    "Review",
    "ReviewTask",
    "Submission",
    "Trust",
    "User",
    "WorkSession",
]
