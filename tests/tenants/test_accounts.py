from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.factories import PASSWORD


def test_members_log_in_with_their_email_in_any_case(client, acme_agent):
    response = client.post(
        reverse("login"), {"username": "BOB@Acme.Example", "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("home", kwargs={"tenant_slug": "acme"})
    assert int(client.session[SESSION_KEY]) == acme_agent.user.pk


def test_a_wrong_password_is_refused_with_a_message_and_keeps_the_email(client, acme_agent):
    response = client.post(reverse("login"), {"username": "bob@acme.example", "password": "nope"})

    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    text = response.content.decode()
    assert "Please enter a correct" in text
    assert 'value="bob@acme.example"' in text


def test_an_inactive_user_cannot_log_in(client, acme_agent):
    acme_agent.user.is_active = False
    acme_agent.user.save()

    client.post(reverse("login"), {"username": "bob@acme.example", "password": PASSWORD})

    assert SESSION_KEY not in client.session


def test_logging_out_ends_the_session(client_of, acme_agent):
    client = client_of(acme_agent)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    assert client.get(reverse("home", kwargs={"tenant_slug": "acme"})).status_code == 302


def test_changing_the_password(client_of, acme_agent):
    client = client_of(acme_agent)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a much newer passphrase",
            "new_password2": "a much newer passphrase",
        },
    )

    assert response["Location"] == reverse("password_change_done")
    acme_agent.user.refresh_from_db()
    assert acme_agent.user.check_password("a much newer passphrase")


def test_a_password_change_with_a_wrong_old_password_changes_nothing(client_of, acme_agent):
    response = client_of(acme_agent).post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "x" * 20, "new_password2": "x" * 20},
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    acme_agent.user.refresh_from_db()
    assert acme_agent.user.check_password(PASSWORD)
