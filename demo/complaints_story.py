"""The demo complaints' year, planned in memory before any is filed (``demo.complaints`` files
them): when each came in, what about, through which channel, for which brand, by whom, how far
it has got and what caused it. Pure Python, from a seeded ``random.Random`` and ``now``: the same
seed tells the same story, whatever day it is seeded.

What the Complaints dashboard shows of it:

* **Billing**: from about eight months ago a direct-debit run charged some premiums twice, and
  billing complaints (a billing error) quadrupled until the fix, about 85 days ago (``ACTIONS``:
  the corrective action that worked); since then they are fewer than before the fault.
* **Road assistance delays**: about four months ago a partner tow-truck firm lost drivers and
  the delays doubled. Reminding the partners of the arrival target (completed about 78 days
  ago) changed nothing: the action that did not work. A second partner is being contracted.
* **Customer service** complaints fall slowly over the year (more staff at the call centre).
* **Channels**: the phone gives way to the web form and the API over the year.
* **Root causes**: slow claim handling is the top cause, far ahead (most claims complaints).
* **Backlog**: most of the last days' cases are still open, some of the last weeks' and a few
  older ones are stuck; the rest have ended (closed mostly; some rejected, withdrawn, merged).
  Road-assistance cases are quick (an apology and a refunded taxi).
* **Repeat complainants**: four customers complained three times or more, three of them three
  times in the last 90 days.
* **SLA**: Athens Centre moves fastest, Thessaloniki (billing: swamped by the double charges)
  slowest; Aegean Direct's cases move faster than Aegean Insurance's (``pace``).

Volumes are drawn evenly (each complaint in its own slice of its category's year, each share by
golden-ratio steps), so a month holds what its rate says, not what the dice said.
"""

import bisect
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from complaints.lifecycle import State
from complaints.models import Channel

YEAR_DAYS = 360
GOLDEN = (5**0.5 - 1) / 2
# Days ago: the billing fault began, it was fixed (the action that worked was completed), the
# partner firm lost drivers, the partners were reminded (the action that did not work).
BILLING_FAULT_FROM, BILLING_FIXED = 245, 85
PARTNER_SHORT_FROM, PARTNERS_REMINDED = 125, 78


def category_rate(code: str, days_ago: float) -> float:
    """Complaints of category ``code`` received per month, ``days_ago`` days ago."""
    if code == "billing":
        if days_ago > BILLING_FAULT_FROM:
            return 2.0
        return 8.0 if days_ago > BILLING_FIXED else 1.5
    if code == "road-assistance":
        return 3.0 if days_ago > PARTNER_SHORT_FROM else 6.5
    if code == "service":
        return 3.0 + 2.0 * days_ago / YEAR_DAYS
    return {"claims-motor": 4.5, "claims-property": 4.0, "policy": 2.0}.get(code, 0.0)


CATEGORIES = ("claims-motor", "claims-property", "policy", "billing", "service", "road-assistance")

# Category → root cause → weight (the cause found when the case is resolved).
CAUSES = {
    "claims-motor": {"slow-handling": 66, "partner-delay": 14, "wrong-information": 12,
                     "policy-terms": 8},
    "claims-property": {"slow-handling": 70, "system-outage": 16, "wrong-information": 14},
    "policy": {"policy-terms": 65, "wrong-information": 35},
    "service": {"staff-conduct": 35, "slow-handling": 40, "wrong-information": 25},
    "road-assistance": {"partner-delay": 88, "staff-conduct": 12},
}  # fmt: skip
BILLING_CAUSES = {  # before the fault, during it, after the fix
    "before": {"billing-error": 40, "policy-terms": 40, "wrong-information": 20},
    "fault": {"billing-error": 88, "policy-terms": 12},
    "fixed": {"billing-error": 20, "policy-terms": 50, "wrong-information": 30},
}
# Category → brand slug → weight.
BRANDS = {
    "road-assistance": {"aegean-road": 70, "aegean-insurance": 30},
    "service": {"aegean-insurance": 45, "aegean-direct": 35, "aegean-road": 20},
}
OTHER_BRANDS = {"aegean-insurance": 55, "aegean-direct": 45}
# Category → touchpoint codes it happens at.
TOUCHPOINTS = {
    "claims-motor": ["claims-desk", "claims-desk", "branches"],
    "claims-property": ["claims-desk", "mobile-app", "branches"],
    "policy": ["branches", "web-portal"],
    "billing": ["web-portal", "call-centre"],
    "service": ["call-centre", "call-centre", "branches"],
    "road-assistance": ["road-assistance"],
}
# Channel → (share a year ago, share now), in a straight line between.
CHANNELS = {
    Channel.PHONE: (40, 10),
    Channel.AGENT: (22, 14),
    Channel.EMAIL: (18, 16),
    Channel.WEB_FORM: (10, 38),
    Channel.API: (10, 22),
}

# Share of the cases still open, by age in days (up to, share); the rest have ended.
OPEN_BY_AGE = [(2, 1.0), (7, 0.85), (30, 0.5), (60, 0.15), (None, 0.03)]
QUICK_CATEGORIES = {"road-assistance": 0.3}  # their open share is this much of the others'
# The open state a case of that age has got to, with weights.
OPEN_STATES_BY_AGE = [
    (2, [(State.RECEIVED, 5), (State.ACKNOWLEDGED, 4), (State.ASSESSED, 2), (State.ASSIGNED, 1)]),
    (7, [(State.ACKNOWLEDGED, 2), (State.ASSESSED, 2), (State.ASSIGNED, 3),
         (State.INVESTIGATING, 6), (State.WAITING_ON_CUSTOMER, 2), (State.RESOLVED, 1)]),
    (None, [(State.INVESTIGATING, 8), (State.WAITING_ON_CUSTOMER, 3), (State.RESOLVED, 2),
            (State.RESPONSE_SENT, 4), (State.UNDER_REVIEW, 2), (State.REOPENED, 2)]),
]  # fmt: skip
ENDED_STATES = [(State.CLOSED, 86), (State.REJECTED, 6), (State.WITHDRAWN, 5), (State.MERGED, 3)]

# --- what complainants write ----------------------------------------------------------------

# (subject, description, remedy, category, language)
STORIES = [
    (
        "Claim still unpaid after six weeks",
        "I sent every document for my windscreen claim and nobody answers.",
        "Pay the claim.",
        "claims-motor",
        "en",
    ),
    (
        "Η αποζημίωση δεν έχει καταβληθεί",
        "Περιμένω εδώ και δύο μήνες την αποζημίωση για τη ζημιά από την πλημμύρα.",
        "Να πληρωθεί η αποζημίωση.",
        "claims-property",
        "el",
    ),
    (
        "Tow truck arrived three hours late",
        "I waited on the motorway shoulder with two children for three hours.",
        "An apology and a refund of the taxi.",
        "road-assistance",
        "en",
    ),
    (
        "Premio addebitato due volte",
        "Il premio di marzo è stato addebitato due volte sulla mia carta.",
        "Rimborso del secondo addebito.",
        "billing",
        "it",
    ),
    (
        "Cobro indebido en mi póliza",
        "Me han cobrado un recargo que nadie me explicó al contratar.",
        "Devolución del recargo.",
        "billing",
        "es",
    ),
    (
        "Грубое обращение в отделении",
        "Сотрудник отделения разговаривал со мной грубо и не принял документы.",
        "Извинения и приём документов.",
        "service",
        "ru",
    ),
    (
        "Garage refused to repair my car",
        "The partner garage said the repair is not covered though my policy says it is.",
        "Authorise the repair.",
        "claims-motor",
        "en",
    ),
    (
        "Renewal price doubled without notice",
        "My home insurance renewal went from 310 to 620 euros with no explanation.",
        "Explain and correct the price.",
        "policy",
        "en",
    ),
    (
        "Δεν απαντά κανείς στο τηλέφωνο",
        "Καλώ το κέντρο εξυπηρέτησης τρεις μέρες και κανείς δεν απαντά.",
        "Να με καλέσει κάποιος.",
        "service",
        "el",
    ),
    (
        "Direct debit taken twice this month",
        "My premium was taken twice from my account on the same day.",
        "Refund the second debit.",
        "billing",
        "en",
    ),
    (
        "Διπλή χρέωση ασφαλίστρου",
        "Το ασφάλιστρο χρεώθηκε δύο φορές στον λογαριασμό μου.",
        "Επιστροφή της δεύτερης χρέωσης.",
        "billing",
        "el",
    ),
    (
        "Ο γερανός δεν ήρθε ποτέ",
        "Περίμενα τέσσερις ώρες στην εθνική οδό και τελικά πήρα ταξί.",
        "Να μου επιστραφεί το ταξί.",
        "road-assistance",
        "el",
    ),
    (
        "App keeps rejecting my claim photos",
        "The mobile app says the upload failed every time I add the damage photos.",
        "Accept my claim by email instead.",
        "claims-property",
        "en",
    ),
]

NAMES = [
    ("Κατερίνα Δημητρίου", "el"), ("Νίκος Παπαδάκης", "el"), ("Σοφία Ιωάννου", "el"),
    ("Γιώργος Βασιλείου", "el"), ("Ελένη Μακρή", "el"), ("Marco Bianchi", "it"),
    ("Lucia Ferrari", "it"), ("Javier Moreno", "es"), ("Lucía Fernández", "es"),
    ("Ирина Соколова", "ru"), ("Дмитрий Кузнецов", "ru"), ("Anna Schmidt", "en"),
    ("Peter Collins", "en"), ("Sarah Jones", "en"), ("Θανάσης Οικονόμου", "el"),
]  # fmt: skip

# Repeat complainants: name, language, complaints in the last 90 days, complaints before.
REPEATERS = [
    ("Κατερίνα Δημητρίου", "el", 4, 1),
    ("Marco Bianchi", "it", 3, 1),
    ("Peter Collins", "en", 3, 0),
    ("Ирина Соколова", "ru", 2, 2),
]
RECENT_DAYS = 90

# How long a handler takes between steps, against the usual (both multiply).
DEPARTMENT_PACE = {
    "athens-centre": 0.45,
    "piraeus": 1.0,
    "thessaloniki": 1.9,
    "larissa": 1.3,
    "north": 0.8,
    "head-office": 0.9,
}
BRAND_PACE = {"aegean-direct": 0.6, "aegean-insurance": 1.4, "aegean-road": 1.0}
# Hours before each step (after the one before), drawn log-uniform in the range: most are
# quick, some take long. A handler's steps are at their pace; the customer's are not.
STEP_HOURS = {
    "acknowledge": (0.3, 12),
    "assess": (0.3, 6),
    "assign": (0.2, 4),
    "start_investigation": (0.5, 16),
    "request_information": (1, 24),
    "receive_information": (4, 96),
    "resolve": (2, 240),
    "send_response": (0.3, 8),
    "accept_decision": (12, 200),
    "close": (72, 240),
    "request_review": (24, 120),
    "reopen": (24, 200),
    "reject": (1, 24),
    "withdraw": (6, 200),
    "merge": (1, 24),
}
OTHER_STEP_HOURS = (2, 96)


@dataclass
class Case:
    """One demo complaint as planned."""

    received_days_ago: float
    category: str
    cause: str
    brand: str
    touchpoint: str
    channel: str
    target: str
    repeater: int | None = None  # index in ``REPEATERS``

    def received_at(self, now: datetime) -> datetime:
        return now - timedelta(days=self.received_days_ago)


class Even:
    """Draws in [0, 1) that spread evenly: golden-ratio steps from a random start, one sequence
    per key (a few dozen draws already show the shares intended)."""

    def __init__(self, rng: random.Random):
        self.rng, self.sequences = rng, {}

    def __call__(self, key) -> float:
        draw = self.sequences[key] if key in self.sequences else self.rng.random()
        self.sequences[key] = (draw + GOLDEN) % 1
        return draw

    def pick(self, key, weights: dict):
        """A key of ``weights`` in their shares."""
        draw, total = self(key) * sum(weights.values()), 0
        for choice, weight in weights.items():
            total += weight
            if draw < total:
                return choice
        return choice


def plan_cases(rng: random.Random, count: int) -> list[Case]:
    """``count`` cases over the last year, oldest first, in the story's volumes and shares."""
    even = Even(rng)
    volumes = {code: _volume(code) for code in CATEGORIES}
    counts = _apportion(count, [volumes[code][-1] for code in CATEGORIES])
    cases = []
    for code, n in zip(CATEGORIES, counts, strict=True):
        # Each case in its own slice of the category's year (its volume, inverted).
        running = volumes[code]
        for number in range(n):
            day = bisect.bisect_right(running, (number + rng.random()) / n * running[-1])
            days_ago = YEAR_DAYS - min(day, YEAR_DAYS - 1) - rng.random()
            cases.append(_case(code, days_ago, rng, even))
    cases.sort(key=lambda case: -case.received_days_ago)
    _repeaters(cases, rng)
    return cases


def _volume(code: str) -> list[float]:
    """The category's complaints received up to the end of each day of the year, oldest first."""
    running, total = [], 0.0
    for day in range(YEAR_DAYS):
        total += category_rate(code, YEAR_DAYS - day - 0.5)
        running.append(total)
    return running


def _apportion(count: int, weights: list[float]) -> list[int]:
    """``count`` split in the shares of ``weights``, largest remainders first."""
    total = sum(weights)
    exact = [count * weight / total for weight in weights]
    counts = [int(share) for share in exact]
    for index in sorted(range(len(exact)), key=lambda i: counts[i] - exact[i])[
        : count - sum(counts)
    ]:
        counts[index] += 1
    return counts


def _case(code: str, days_ago: float, rng: random.Random, even: Even) -> Case:
    if code == "billing":
        phase = (
            "before"
            if days_ago > BILLING_FAULT_FROM
            else "fault"
            if days_ago > BILLING_FIXED
            else "fixed"
        )
        cause = even.pick(("cause", code, phase), BILLING_CAUSES[phase])
    else:
        cause = even.pick(("cause", code), CAUSES[code])
    recent = 1 - days_ago / YEAR_DAYS
    channels = {name: then + (now - then) * recent for name, (then, now) in CHANNELS.items()}
    return Case(
        received_days_ago=days_ago,
        category=code,
        cause=cause,
        brand=even.pick(("brand", code), BRANDS.get(code, OTHER_BRANDS)),
        touchpoint=TOUCHPOINTS[code][int(even(("touchpoint", code)) * len(TOUCHPOINTS[code]))],
        channel=even.pick("channel", channels),
        target=_target(code, days_ago, rng, even),
    )


def _target(code: str, days_ago: float, rng: random.Random, even: Even) -> str:
    """How far a case of that age has got: open (in a state its age allows) or ended."""
    open_share = next(share for within, share in OPEN_BY_AGE if within is None or days_ago < within)
    if days_ago >= OPEN_BY_AGE[0][0]:
        open_share *= QUICK_CATEGORIES.get(code, 1)
    if even(("open", code)) >= open_share:
        return even.pick(("ended", code), dict(ENDED_STATES))
    states = next(s for within, s in OPEN_STATES_BY_AGE if within is None or days_ago < within)
    return rng.choices([state for state, _w in states], weights=[w for _s, w in states])[0]


def _repeaters(cases: list[Case], rng: random.Random) -> None:
    """Give the repeat complainants their cases: some of the last 90 days, some before (only
    where there are plenty of both, so a small demo has none)."""
    # Clear of the edge of the dashboards' default 90 days, either side.
    recent = [case for case in cases if case.received_days_ago < RECENT_DAYS - 10]
    older = [case for case in cases if case.received_days_ago >= RECENT_DAYS + 10]
    wanted_recent = sum(person[2] for person in REPEATERS)
    wanted_older = sum(person[3] for person in REPEATERS)
    if len(recent) < 4 * wanted_recent or len(older) < 4 * wanted_older:
        return
    rng.shuffle(recent)
    rng.shuffle(older)
    for index, (_name, _language, in_recent, before) in enumerate(REPEATERS):
        for _number in range(in_recent):
            recent.pop().repeater = index
        for _number in range(before):
            older.pop().repeater = index


def pace(department_code: str | None, brand_slug: str) -> float:
    """How long a handler of that department takes between steps of that brand's case, against
    the usual."""
    return DEPARTMENT_PACE.get(department_code, 1.0) * BRAND_PACE.get(brand_slug, 1.0)


def step_hours(name: str, rng: random.Random) -> float:
    """The usual hours before a step named ``name``."""
    low, high = STEP_HOURS.get(name, OTHER_STEP_HOURS)
    return low * (high / low) ** rng.random()
