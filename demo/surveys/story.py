"""What the demo says and how its year goes: the two surveys in five languages, the rules, the
brands', touchpoints' and performers' effect on the score, the share of each decision and of
each answer, and what customers write and staff record.

The NPS figures are what an event of that kind earns on average; they add up (the brand's on its
line over the year + touchpoint + performer, and a penalty after a complaint), so the dashboards
can tell them apart.
"""

from datetime import timedelta

from surveys.models import Interaction
from surveys.scoring import BAND_RANGES, HIGH, LOW, MIDDLE, QuestionKind

Source = Interaction.Source

# --- the surveys -------------------------------------------------------------------------------

NPS_SURVEY = "After service (NPS)"
CSAT_SURVEY = "Roadside assistance (CSAT)"

CHOICES = [
    {"value": "speed", "label": {"en": "Speed", "el": "Ταχύτητα", "it": "Rapidità",
                                 "es": "Rapidez", "ru": "Скорость"}},
    {"value": "staff", "label": {"en": "Friendly, competent staff",
                                 "el": "Ευγενικό, ικανό προσωπικό",
                                 "it": "Personale cortese e competente",
                                 "es": "Personal amable y competente",
                                 "ru": "Вежливые и знающие сотрудники"}},
    {"value": "outcome", "label": {"en": "The outcome", "el": "Το αποτέλεσμα",
                                   "it": "Il risultato", "es": "El resultado",
                                   "ru": "Результат"}},
    {"value": "clarity", "label": {"en": "Clear information", "el": "Σαφής ενημέρωση",
                                   "it": "Informazioni chiare", "es": "Información clara",
                                   "ru": "Понятная информация"}},
    {"value": "price", "label": {"en": "Price", "el": "Τιμή", "it": "Prezzo", "es": "Precio",
                                 "ru": "Цена"}},
]  # fmt: skip
CHOICE_WEIGHTS = [30, 22, 26, 14, 8]

SURVEYS = {
    NPS_SURVEY: [
        {"kind": QuestionKind.NPS, "is_primary": True, "text": {
            "en": "How likely are you to recommend us to a friend or colleague?",
            "el": "Πόσο πιθανό είναι να μας προτείνετε σε έναν φίλο ή συνάδελφο;",
            "it": "Quanto è probabile che ci consigli a un amico o a un collega?",
            "es": "¿Qué probabilidad hay de que nos recomiende a un amigo o colega?",
            "ru": "Насколько вероятно, что вы порекомендуете нас другу или коллеге?"}},
        {"kind": QuestionKind.CSAT, "text": {
            "en": "How satisfied are you with how we handled your request?",
            "el": "Πόσο ικανοποιημένοι είστε από τον χειρισμό του αιτήματός σας;",
            "it": "Quanto è soddisfatto di come abbiamo gestito la sua richiesta?",
            "es": "¿Qué grado de satisfacción tiene con la gestión de su solicitud?",
            "ru": "Насколько вы довольны тем, как мы обработали ваш запрос?"}},
        {"kind": QuestionKind.CHOICE, "choices": CHOICES, "text": {
            "en": "What mattered most to you?",
            "el": "Τι μέτρησε περισσότερο για εσάς;",
            "it": "Che cosa è stato più importante per lei?",
            "es": "¿Qué fue lo más importante para usted?",
            "ru": "Что для вас было важнее всего?"}},
        {"kind": QuestionKind.TEXT, "text": {
            "en": "Anything else you would like to tell us?",
            "el": "Θέλετε να μας πείτε κάτι ακόμη;",
            "it": "C'è altro che vorrebbe dirci?",
            "es": "¿Hay algo más que quiera contarnos?",
            "ru": "Хотите ли вы что-нибудь добавить?"}},
    ],
    CSAT_SURVEY: [
        {"kind": QuestionKind.CSAT, "is_primary": True, "text": {
            "en": "How satisfied are you with the roadside assistance you received?",
            "el": "Πόσο ικανοποιημένοι είστε από την οδική βοήθεια που λάβατε;",
            "it": "Quanto è soddisfatto dell'assistenza stradale ricevuta?",
            "es": "¿Qué grado de satisfacción tiene con la asistencia en carretera recibida?",
            "ru": "Насколько вы довольны полученной помощью на дороге?"}},
        {"kind": QuestionKind.CES, "text": {
            "en": "How easy was it to get help?",
            "el": "Πόσο εύκολο ήταν να λάβετε βοήθεια;",
            "it": "Quanto è stato facile ottenere aiuto?",
            "es": "¿Qué tan fácil fue conseguir ayuda?",
            "ru": "Насколько легко было получить помощь?"}},
        {"kind": QuestionKind.NPS, "text": {
            "en": "How likely are you to recommend Aegean Road Assist to a friend or colleague?",
            "el": "Πόσο πιθανό είναι να προτείνετε την Aegean Road Assist σε έναν φίλο;",
            "it": "Quanto è probabile che consigli Aegean Road Assist a un amico?",
            "es": "¿Qué probabilidad hay de que recomiende Aegean Road Assist a un amigo?",
            "ru": "Насколько вероятно, что вы порекомендуете Aegean Road Assist другу?"}},
        {"kind": QuestionKind.TEXT, "text": {
            "en": "What could we have done better?",
            "el": "Τι θα μπορούσαμε να είχαμε κάνει καλύτερα;",
            "it": "Che cosa avremmo potuto fare meglio?",
            "es": "¿Qué podríamos haber hecho mejor?",
            "ru": "Что мы могли бы сделать лучше?"}},
    ],
}  # fmt: skip

# survey, brand slug, touchpoint code, delay (minutes), sample (%), order
RULES = [
    (CSAT_SURVEY, "aegean-road", "road-assistance", 30, 100, 10),
    (NPS_SURVEY, "aegean-insurance", "claims-desk", 120, 100, 20),
    (NPS_SURVEY, "aegean-direct", None, 60, 70, 30),
    (NPS_SURVEY, None, None, 240, 85, 100),
]

# --- who is served where, and how it goes ------------------------------------------------------

# Brand → (share of the events, NPS a year ago, NPS now, share who answer), in a straight line
# between. Aegean Insurance rebuilt its claims handling over the year and went from detractors
# outnumbering promoters to well liked; Aegean Direct stayed liked, Aegean Road Assist stayed
# lukewarm (tow trucks are late: ``demo.complaints_story``).
BRANDS = {
    "aegean-insurance": (40, -22, 32, 0.3),
    "aegean-direct": (35, 34, 34, 0.26),
    "aegean-road": (25, 4, 4, 0.32),
}
OTHER_BRAND = (0, 15, 15, 0.25)  # a brand added after the demo, in case its complaints close
COMPLAINT_EFFECT = -25  # a customer whose complaint was just closed is harder to please
# Aegean Insurance's motor policies include roadside assistance, dispatched by the same desk
# as Aegean Road Assist's; its customers are asked the NPS survey after it (the general rule).
BRAND_TOUCHPOINTS = {
    "aegean-insurance": {
        "branches": 45,
        "claims-desk": 40,
        "call-centre": 20,
        "road-assistance": 55,
    },
    "aegean-direct": {"call-centre": 25, "web-portal": 25, "mobile-app": 25, "claims-desk": 25},
    "aegean-road": {"road-assistance": 75, "call-centre": 15, "mobile-app": 10},
}
# Touchpoint → (NPS points it adds, where its events come from, who serves there: a name given
# three times serves three times as often)
TOUCHPOINTS = {
    "branches": (6, Source.IMPORT, ["maria.konstantinou", "maria.konstantinou",
                                    "dimitris.alexiou", "dimitris.alexiou",
                                    "alexei.smirnov", "francesca.bianchi"]),
    "claims-desk": (-8, Source.IMPORT, ["jose.martinez", "jose.martinez", "jose.martinez",
                                        "maria.konstantinou", "dimitris.alexiou",
                                        "carmen.lopez"]),
    "call-centre": (-3, Source.API, ["carmen.lopez", "alexei.smirnov", "francesca.bianchi"]),
    "road-assistance": (0, Source.API, ["giorgos.nikolaou", "olga.petrova"]),
    "mobile-app": (4, Source.API, []),
    "web-portal": (0, Source.API, []),
}  # fmt: skip
# Performer (the demo user's email before the @) → NPS points they add.
PERFORMERS = {
    "giorgos.nikolaou": 18, "olga.petrova": -18, "jose.martinez": 12,
    "maria.konstantinou": 8, "dimitris.alexiou": -12, "carmen.lopez": 0,
    "alexei.smirnov": 5, "francesca.bianchi": -6,
}  # fmt: skip
# The performer who got better over the year (coached after a weak start; ``demo.ratings``
# shows it): the NPS points they add a year ago and now, in a straight line between (instead
# of their ``PERFORMERS`` points). Their complaints are resolved faster too (``demo.complaints``).
IMPROVING = {"dimitris.alexiou": (-40, 45)}
# When an event reaches Loopdesk: the API at once, the branch systems' import within the hour.
RECORDED_AFTER = {
    Source.API: timedelta(minutes=2),
    Source.IMPORT: timedelta(hours=1),
    Source.COMPLAINT: timedelta(0),  # the closing step records it
}
LATE_IMPORT = timedelta(days=2)  # a batch that was stuck: too old to survey
LATE_IMPORT_SHARE = 0.15
CUSTOMERS_PER_EVENT = 0.45  # ~2 events per customer a year: some are surveyed recently
# Customers: with an email and consent; no email (phone only); opted out; no consent to email.
CONTACT = [91, 4, 3, 2]
# Local hours of the events, weighted: office hours, a little in the evening and at night.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 10, 9, 9, 10, 10, 9, 7, 5, 4, 3, 2, 2, 1]

# --- what customers say ------------------------------------------------------------------------

GOOD, NEUTRAL, BAD = "good", "neutral", "bad"
# The band of ``surveys.scoring`` a customer in each mood answers in: a happy one praises, an
# unhappy one is a critic. Where a kind has no middle band (CSAT), a neutral customer sits
# either side of the line between critic and satisfied.
MOOD_BANDS = {GOOD: HIGH, NEUTRAL: MIDDLE, BAD: LOW}
# How the answers lean inside the mood's scores, lowest score first: kind → mood → weights.
SCORE_WEIGHTS = {
    QuestionKind.NPS: {GOOD: [40, 60], NEUTRAL: [45, 55], BAD: [2, 1, 2, 3, 5, 8, 9]},
    QuestionKind.CSAT: {GOOD: [35, 65], NEUTRAL: [45, 55], BAD: [30, 35, 35]},
    QuestionKind.CES: {GOOD: [45, 55], NEUTRAL: [50, 50], BAD: [2, 3, 3]},
}


def mood_scores(kind: str, mood: str) -> list[int]:
    """The scores a customer in ``mood`` gives a ``kind`` question, from scoring's bands."""
    ranges = BAND_RANGES[MOOD_BANDS[mood]]
    if kind in ranges:
        low, high = ranges[kind]
    else:  # no middle band: the top critic score and the lowest praising one
        low, high = BAND_RANGES[LOW][kind][1], BAND_RANGES[HIGH][kind][0]
    return list(range(low, high + 1))


def _draws(kind: str, mood: str, weights: list[int]) -> tuple[list[int], list[int]]:
    scores = mood_scores(kind, mood)
    if len(weights) != len(scores):
        raise ValueError(f"The {mood} {kind} weights {weights} do not fit scores {scores}.")
    return scores, weights


# kind → mood → (scores, weights), for ``random.choices``.
SCORES = {
    kind: {mood: _draws(kind, mood, weights) for mood, weights in moods.items()}
    for kind, moods in SCORE_WEIGHTS.items()
}
COMMENT_SHARE = {GOOD: 0.08, NEUTRAL: 0.2, BAD: 0.55}
COMMENTS = {
    BAD: {
        "en": ["Nobody called me back and I had to chase you three times.",
               "The tow truck took almost three hours to arrive.",
               "The claim took far too long and nobody explained why."],
        "el": ["Κανείς δεν με πήρε πίσω τηλέφωνο, χρειάστηκε να καλέσω τρεις φορές.",
               "Το γερανό άργησε σχεδόν τρεις ώρες.",
               "Η αποζημίωση καθυστέρησε πολύ χωρίς καμία εξήγηση."],
        "it": ["Nessuno mi ha richiamato, ho dovuto sollecitare tre volte.",
               "Il carro attrezzi è arrivato con quasi tre ore di ritardo.",
               "La pratica è durata troppo e nessuno mi ha spiegato il perché."],
        "es": ["Nadie me devolvió la llamada y tuve que insistir tres veces.",
               "La grúa tardó casi tres horas en llegar.",
               "El siniestro tardó demasiado y nadie me explicó por qué."],
        "ru": ["Мне никто не перезвонил, пришлось звонить три раза.",
               "Эвакуатор ехал почти три часа.",
               "Урегулирование заняло слишком много времени, и никто не объяснил почему."],
    },
    NEUTRAL: {
        "en": ["Fine in the end, but I waited a long time on the phone.",
               "The app works, but uploading documents is clumsy."],
        "el": ["Τελικά όλα καλά, αλλά περίμενα πολύ στο τηλέφωνο.",
               "Η εφαρμογή δουλεύει, αλλά το ανέβασμα εγγράφων είναι δύσκολο."],
        "it": ["Alla fine tutto bene, ma ho atteso a lungo al telefono.",
               "L'app funziona, ma caricare i documenti è scomodo."],
        "es": ["Al final bien, pero esperé mucho al teléfono.",
               "La aplicación funciona, pero subir documentos es incómodo."],
        "ru": ["В итоге всё хорошо, но пришлось долго ждать на линии.",
               "Приложение работает, но загружать документы неудобно."],
    },
    GOOD: {
        "en": ["Quick and friendly, thank you!", "Everything was explained clearly."],
        "el": ["Γρήγορα και ευγενικά, ευχαριστώ!", "Μου τα εξήγησαν όλα με σαφήνεια."],
        "it": ["Veloci e gentili, grazie!", "Mi hanno spiegato tutto con chiarezza."],
        "es": ["¡Rápidos y amables, gracias!", "Me lo explicaron todo con claridad."],
        "ru": ["Быстро и вежливо, спасибо!", "Мне всё понятно объяснили."],
    },
}  # fmt: skip
OUTCOMES = {
    "critic": [
        "Called the customer, apologised and explained the delay; the claim is now paid.",
        "Called back: the tow-truck partner has been warned and the taxi fare refunded.",
        "Reached the customer by phone, corrected the premium and confirmed it in writing.",
        "Customer not reachable after three calls; sent an apology by email.",
        "Τηλεφωνήσαμε στον πελάτη, δώσαμε εξηγήσεις και διορθώσαμε το λάθος.",
    ],
    "still_critic": [
        "Second call: the customer is still unhappy with the amount; explained the terms.",
    ],
}
ANSWER_SHARE_AFTER_REMINDER = 0.2
BOUNCED_SHARE = 0.02  # first emails the mail server refused: queued, never accepted
# Follow-ups still open, by the age of the answer: the queue has this week's, and a few older
# ones that slipped (overdue); nothing older than the last weeks is left open.
STILL_OPEN = [(timedelta(days=7), 0.5), (timedelta(days=45), 0.12)]
RERATE_SHARE = 0.5  # of the critics called back, asked to rate again
RERATE_ANSWER_SHARE = 0.6
RERATE_MOOD = {GOOD: 0.3, NEUTRAL: 0.3}  # and the rest still BAD
PASSIVE_SHARE = 0.26

# --- customers ---------------------------------------------------------------------------------

# language → (share, [(first name, latin)], [(last name, latin)]) — the Greek and Russian lists
# pair first and last names of the same gender by index parity.
PEOPLE = {
    "el": (55, [("Γιάννης", "giannis"), ("Μαρία", "maria"), ("Κώστας", "kostas"),
                ("Ελένη", "eleni"), ("Νίκος", "nikos"), ("Κατερίνα", "katerina"),
                ("Δημήτρης", "dimitris"), ("Σοφία", "sofia")],
               [("Παπαδόπουλος", "papadopoulos"), ("Παπαδοπούλου", "papadopoulou"),
                ("Καραγιάννης", "karagiannis"), ("Καραγιάννη", "karagianni"),
                ("Μαυρίδης", "mavridis"), ("Μαυρίδου", "mavridou"),
                ("Οικονόμου", "oikonomou"), ("Αθανασίου", "athanasiou")]),
    "en": (18, [("James", "james"), ("Emma", "emma"), ("Oliver", "oliver"),
                ("Sophie", "sophie")],
               [("Walker", "walker"), ("Hughes", "hughes"), ("Clarke", "clarke"),
                ("Taylor", "taylor")]),
    "it": (9, [("Luca", "luca"), ("Giulia", "giulia"), ("Matteo", "matteo"),
               ("Chiara", "chiara")],
              [("Rossi", "rossi"), ("Esposito", "esposito"), ("Romano", "romano"),
               ("Ricci", "ricci")]),
    "es": (8, [("Carlos", "carlos"), ("Lucía", "lucia"), ("Pablo", "pablo"),
               ("Marta", "marta")],
              [("García", "garcia"), ("Navarro", "navarro"), ("Romero", "romero"),
               ("Torres", "torres")]),
    "ru": (10, [("Иван", "ivan"), ("Анна", "anna"), ("Сергей", "sergei"),
                ("Елена", "elena")],
               [("Иванов", "ivanov"), ("Иванова", "ivanova"), ("Волков", "volkov"),
                ("Волкова", "volkova")]),
}  # fmt: skip


def brand_nps(slug: str, age_share: float) -> float:
    """The NPS an event of brand ``slug`` earns ``age_share`` of a year ago (0: now, 1: a year
    ago), on the brand's straight line from then to now."""
    _share, then, now, _answers = BRANDS.get(slug, OTHER_BRAND)
    return then + (now - then) * min(max(1 - age_share, 0), 1)


def mood_for(draw: float, nps: float) -> str:
    """Promoter, passive or detractor for a draw in [0, 1), in the shares that give ``nps``."""
    nps = max(-70.0, min(70.0, nps))
    promoter = (1 - PASSIVE_SHARE + nps / 100) / 2
    if draw < promoter:
        return GOOD
    return NEUTRAL if draw < promoter + PASSIVE_SHARE else BAD


def mood_after_follow_up(draw: float) -> str:
    """How a critic who was called back answers the re-rate, for a draw in [0, 1)."""
    if draw < RERATE_MOOD[GOOD]:
        return GOOD
    return NEUTRAL if draw < RERATE_MOOD[GOOD] + RERATE_MOOD[NEUTRAL] else BAD
