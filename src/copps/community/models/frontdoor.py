"""What the public front door adds to a service request: the reporter's photo and the
department's replies, and the reply templates staff pick from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .requests import ServiceRequest

__all__ = ["ReplyTemplate", "RequestPhoto", "RequestReply"]


class RequestPhoto(models.Model):
    """A photo a resident attached to a concern, as copps re-encoded it: a JPEG with no EXIF,
    GPS or other metadata, at most 2048 pixels on its longest side. The uploaded file itself is
    never kept. Stored in the database so that backups and the app's stateless web tier need no
    separate file store; it is shown on the request's track page and to staff."""

    request = models.OneToOneField(ServiceRequest, on_delete=models.CASCADE, related_name="photo")
    data = models.BinaryField()
    content_type = models.CharField(max_length=32, default="image/jpeg")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"photo of {self.request.public_id} ({self.width}x{self.height})"


class RequestReply(models.Model):
    """A message from the department to the person who reported a concern: shown on the
    request's track page, and e-mailed when the reporter gave an address."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="replies")
    body = models.TextField()
    at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    emailed = models.BooleanField(default=False)

    class Meta:
        ordering = ["request", "at", "id"]

    def __str__(self) -> str:
        return f"reply on {self.request.public_id}"


class ReplyTemplate(models.Model):
    """A reply staff send often ("Thank you, a crew is scheduled"), in English and Spanish,
    kept by administrators in the admin. Staff pick one in a request's reply form or when
    closing many requests at once; the reporter gets the text in their language when copps
    knows it (``ServiceRequest.language``), else in English."""

    name = models.CharField(max_length=100, unique=True, help_text="what staff see in the menu")
    body_en = models.TextField("text in English")
    body_es = models.TextField("text in Spanish")
    active = models.BooleanField(default=True, help_text="offered in the reply forms")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def body_for(self, language: str) -> str:
        """The text in ``language`` (``es``, ``es-mx`` ...), English for any other or unknown one."""
        return self.body_es if (language or "").lower().startswith("es") and self.body_es.strip() else self.body_en
