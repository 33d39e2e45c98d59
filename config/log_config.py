"""The logging settings: one line per event on the console, customers' links redacted."""


def logging_settings(*, level: str) -> dict:
    # Request logs name the path, and a customer's link is its own password: the survey token in
    # /s/<token>/ and a status page's ?key= are written "[redacted]" (``config.redaction``). The
    # filter sits on the loggers that write paths (so every handler, and the tests' capture, get
    # the redacted line) and on the console handler for the rest; gunicorn's access log has its
    # own (``config.gunicorn``).
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact_links": {"()": "config.redaction.RedactLinks"}},
        "formatters": {
            "django.server": {
                "()": "django.utils.log.ServerFormatter",
                "format": "[{server_time}] {message}",
                "style": "{",
            }
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "filters": ["redact_links"]},
            # runserver's access log, as Django's default, with the redaction.
            "django.server": {
                "class": "logging.StreamHandler",
                "formatter": "django.server",
                "filters": ["redact_links"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.request": {"filters": ["redact_links"]},
            "django.security.csrf": {"filters": ["redact_links"]},
            "django.server": {
                "handlers": ["django.server"],
                "level": "INFO",
                "propagate": False,
                "filters": ["redact_links"],
            },
            # The file-system broker has no host; kombu warns about that on every connection.
            "kombu.connection": {"level": "ERROR"},
            # One line per event: Django's own console handler on "django" (DEBUG only) would print
            # each of its records a second time through the root's handler.
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            # django-axes writes four lines per sign-in; its warnings (failures, lockouts) stay.
            "axes": {"level": "WARNING"},
        },
    }
