"""The rollup tables (``surveys.rollups``): declared here, registered by ``surveys.models``."""

from django.db import models

from tenants.models import TenantOwned


class AnswerDay(TenantOwned):
    """How many answers of one day gave ``score`` (or ``choice``) to ``question``, for one
    brand, touchpoint, performer and complaint (a text answer is counted with neither)."""

    day = models.DateField()  # in the tenant's time zone, of the response's submission
    question = models.ForeignKey("surveys.Question", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=8)  # the invitation's: Invitation.Purpose
    brand = models.ForeignKey("tenants.Brand", on_delete=models.PROTECT, related_name="+")
    touchpoint = models.ForeignKey(
        "tenants.Touchpoint", on_delete=models.PROTECT, null=True, related_name="+"
    )
    # As on the interaction: the department and the complaint's facts are read through them.
    performer = models.ForeignKey(
        "tenants.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    score = models.SmallIntegerField(null=True)
    choice = models.CharField(max_length=100, blank=True)
    answers = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["tenant", "day"], name="answer_day_tenant_day")]


class AnswerDayDue(TenantOwned):
    """A day whose :class:`AnswerDay` rows are to be recomputed."""

    day = models.DateField()
    marked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "day"], name="answer_day_due_unique")
        ]
