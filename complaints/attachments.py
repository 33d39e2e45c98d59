"""Files on complaints: which are accepted, and how they are stored."""

import mimetypes
import re
import zipfile
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

# Markup a browser would run or render if the file were ever opened inline.
_MARKUP = re.compile(rb"<\s*(html|svg|script|!doctype\s+html|iframe|object|embed)\b", re.IGNORECASE)
_SNIFF_BYTES = 64


def _head(upload: UploadedFile, size: int) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _is_docx(upload: UploadedFile) -> bool:
    # A Word file is a zip holding its manifest; reading the directory decompresses nothing.
    try:
        names = set(zipfile.ZipFile(upload).namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and "word/document.xml" in names


def _is_plain_text(upload: UploadedFile) -> bool:
    # Read whole (it is already within the size limit): text is UTF-8 with no NUL and no markup.
    content = _head(upload, upload.size or -1)
    if b"\x00" in content or _MARKUP.search(content):
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _content_is(content_type: str, upload: UploadedFile) -> bool:
    """Whether the bytes really are of the type the name says (magic numbers, not the name)."""
    head = _head(upload, _SNIFF_BYTES)
    if content_type == "application/pdf":
        return head.startswith(b"%PDF-")
    if content_type == "image/png":
        return head.startswith(b"\x89PNG")
    if content_type == "image/jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if content_type == "image/webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if content_type == "image/heic":
        return head[4:8] == b"ftyp" and head[8:12] in {b"heic", b"heix", b"mif1", b"msf1"}
    if content_type == "application/msword":
        return head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    if content_type.endswith("wordprocessingml.document"):
        return head.startswith(b"PK\x03\x04") and _is_docx(upload)
    if content_type == "text/plain":
        return _is_plain_text(upload)
    return False


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
        refused_type = _("“%(name)s” is not a file type we accept (PDF, images, text, Word).") % {
            "name": upload.name
        }
        # The browser's word for the type is not enough: the name must agree with it...
        if extension not in ALLOWED_ATTACHMENT_TYPES.get(content_type, ()):
            errors.append(refused_type)
        elif upload.size > max_mb * 1024 * 1024:
            errors.append(
                _("“%(name)s” is larger than %(mb)s MB.") % {"name": upload.name, "mb": max_mb}
            )
        # ...and the bytes must agree with both: an HTML page or a program named .pdf is refused.
        elif not _content_is(content_type, upload):
            errors.append(refused_type)
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
