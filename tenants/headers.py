"""Headers every response carries that Django's ``SecurityMiddleware`` does not set.

``Permissions-Policy`` turns off the browser features no Loopdesk page uses (camera,
microphone, location, payment...), so a script injected into a page, or a page that frames
ours, cannot ask for them. The value is ``settings.PERMISSIONS_POLICY``; a view that needs a
feature sets its own header and this one leaves it alone.
"""

from django.conf import settings


class BrowserPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = ", ".join(
            f"{feature}=({' '.join(allowed)})"
            for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.policy)
        if settings.SECURE_REFERRER_POLICY:
            response.headers.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY)
        return response
