"""Files on complaints: which are accepted, and how they are stored."""

import mimetypes
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from complaints.models import Attachment, Complaint, Message
from tenants.errors import ApplicationError
from tenants.models import Membership

# Accepted types and the file-name endings each may have.
ALLOWED_ATTACHMENT_TYPES = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
    "image/webp": {".webp"},
    "image/heic": {".heic"},
    "text/plain": {".txt"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
    "application/msword": {".doc"},
}
MAX_ATTACHMENTS = 5


def _content_type(upload: UploadedFile) -> str:
    return upload.content_type or mimetypes.guess_type(upload.name)[0] or ""


def validate_files(files: list[UploadedFile], *, max_mb: int) -> None:
    """Refuse the lot, with one message per bad file, unless every file is acceptable."""
    errors = []
    if len(files) > MAX_ATTACHMENTS:
        errors.append(_("Attach at most %(count)s files.") % {"count": MAX_ATTACHMENTS})
    for upload in files:
        content_type = _content_type(upload)
        extension = Path(upload.name).suffix.lower()
        # The browser's word for the type is not enough: the name must agree with it.
        if extension not in ALLOWED_ATTACHMENT_TYPES.get(content_type, ()):
            errors.append(
                _("“%(name)s” is not a file type we accept (PDF, images, text, Word).")
                % {"name": upload.name}
            )
        elif upload.size > max_mb * 1024 * 1024:
            errors.append(
                _("“%(name)s” is larger than %(mb)s MB.") % {"name": upload.name, "mb": max_mb}
            )
    if errors:
        raise ApplicationError(errors[0], fields={"files": errors})


def store_files(
    complaint: Complaint,
    files: list[UploadedFile],
    *,
    uploaded_by: Membership | None,
    message: Message | None = None,
    is_internal: bool = False,
) -> list[Attachment]:
    """Save validated uploads on the complaint (and the message they came with)."""
    stored = []
    for upload in files:
        attachment = Attachment(
            tenant_id=complaint.tenant_id,
            complaint=complaint,
            message=message,
            original_name=upload.name[:255],
            content_type=_content_type(upload),
            size=upload.size,
            uploaded_by=uploaded_by,
            is_internal=is_internal,
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored
