"""What complaints answers when tenants asks whether it may change a row complaints relies on
(``tenants.guards``; added in ``ComplaintsConfig.ready``)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from complaints.lifecycle import OPEN_STATES
from complaints.models import Complaint
from tenants.models import Brand, Department


def open_complaints_refusal(department: Department) -> str | None:
    """A department (or one below it) that owns open complaints may not be closed."""
    count = (
        Complaint.objects.for_tenant(department.tenant_id)
        .filter(department__path__startswith=department.path, state__in=OPEN_STATES)
        .count()
    )
    if not count:
        return None
    return ngettext(
        "It owns %(count)s open complaint: transfer or finish it first.",
        "It owns %(count)s open complaints: transfer or finish them first.",
        count,
    ) % {"count": count}


def reference_prefix_refusal(brand: Brand, prefix: str) -> str | None:
    """A prefix that another brand's complaints' references start with would let a new
    reference repeat an old one."""
    used = (
        Complaint.objects.for_tenant(brand.tenant_id)
        .filter(reference__startswith=f"{prefix}-")
        .exclude(brand_id=brand.pk)
        .exists()
    )
    if used:
        return _(
            "Complaints of another brand have references starting with %(prefix)s: a new "
            "reference could repeat one of theirs."
        ) % {"prefix": prefix}
    return None
