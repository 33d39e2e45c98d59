# Greek: day/month/year, 24-hour clock (Django's own Greek formats use a 12-hour clock).
# One date format and one date-and-time format per language, on every page, email, notification
# and filter: the SHORT_ names are the same as the long ones, whichever a template asks for.
DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
# The first is what a date field shows: ISO, which <input type="date"> needs in every language.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"]
FIRST_DAY_OF_WEEK = 1
