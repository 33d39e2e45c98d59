import pytest
from django.urls import reverse


# The manager's navigation and the log-out button, copied by hand from locale/.
@pytest.mark.parametrize(
    ("language", "labels", "logout_label"),
    [
        (
            "el",
            [
                "Αρχική",
                "Παράπονα",
                "Διορθωτικές ενέργειες",
                "Έρευνες",
                "Απαντήσεις",
                "Επανεπικοινωνίες",
                "Αλληλεπιδράσεις",
                "Η αξιολόγησή μου",
                "Αμφισβητήσεις",
                "Κατάταξη",
                "Πίνακες ελέγχου",
                "Ομάδα",
                "Ρυθμίσεις",
            ],
            "Αποσύνδεση",
        ),
        (
            "it",
            [
                "Home",
                "Reclami",
                "Azioni correttive",
                "Sondaggi",
                "Risposte",
                "Ricontatti",
                "Interazioni",
                "La mia valutazione",
                "Contestazioni",
                "Classifica",
                "Dashboard",
                "Team",
                "Impostazioni",
            ],
            "Esci",
        ),
        (
            "es",
            [
                "Inicio",
                "Reclamaciones",
                "Acciones correctivas",
                "Encuestas",
                "Respuestas",
                "Seguimientos",
                "Interacciones",
                "Mi valoración",
                "Disputas",
                "Clasificación",
                "Paneles",
                "Equipo",
                "Configuración",
            ],
            "Cerrar sesión",
        ),
        (
            "ru",
            [
                "Главная",
                "Жалобы",
                "Корректирующие действия",
                "Опросы",
                "Ответы",
                "Связь с клиентами",
                "Взаимодействия",
                "Мой рейтинг",
                "Оспаривания",
                "Рейтинговая таблица",
                "Панели",
                "Команда",
                "Настройки",
            ],
            "Выйти",
        ),
    ],
)
def test_the_language_switcher_changes_the_interface(
    client_of, acme_manager, language, labels, logout_label
):
    client = client_of(acme_manager)
    home = reverse("home", kwargs={"tenant_slug": "acme"})

    switched = client.post(reverse("set_language"), {"language": language, "next": home})

    assert switched.status_code == 302
    assert switched["Location"] == home
    page = client.get(home)
    assert page.context["LANGUAGE_CODE"] == language
    assert f'<html lang="{language}">' in page.content.decode()
    assert [str(item["label"]) for item in page.context["navigation"]] == labels
    assert logout_label in page.content.decode()


def test_the_browser_language_is_used_until_the_user_picks_one(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="ru,en;q=0.5")

    assert page.context["LANGUAGE_CODE"] == "ru"
    assert '<html lang="ru">' in page.content.decode()


def test_an_unknown_language_falls_back_to_english(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="tlh")

    assert page.context["LANGUAGE_CODE"] == "en"
