"""The survey programme's settings page (``/<tenant>/settings/surveys/``): the throttle, the
maximum age of an event, the critic rule and the norms the dashboards compare with. The row is
``surveys.models.SurveySettings``; ``services`` is its one writer."""
