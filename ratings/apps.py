from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "ratings"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from ratings import disputes, schemes
        from tenants.navigation import NavItem, navigation_add
        from tenants.permissions import Action
        from tenants.settings_pages import SettingsSection, settings_section_add

        disputes.register_messages()
        schemes.register_messages()
        navigation_add(
            NavItem(_("My rating"), "my-rating", Action.VIEW_OWN_RATING, 40),
            NavItem(_("Disputes"), "dispute-list", Action.DECIDE_DISPUTES, 41),
            NavItem(_("Leaderboard"), "rating-leaderboard", Action.VIEW_RATINGS, 42),
        )
        settings_section_add(SettingsSection(_("Ratings"), "settings-ratings", 60))
