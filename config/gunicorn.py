"""gunicorn's settings: ``gunicorn --config python:config.gunicorn config.wsgi …``.

Its access and error logs go through ``config.redaction.RedactLinks``: a survey link's token and
a status page's ``?key=`` never reach them, in the request line, the path, the query, the
referrer or a header of whatever ``access_log_format`` an operator chooses.
"""

from gunicorn.glogging import Logger

from config.redaction import RedactLinks


class RedactingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(each, RedactLinks) for each in log.filters):
                log.addFilter(RedactLinks())


logger_class = RedactingLogger
