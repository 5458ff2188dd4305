from django.urls import path

from clientela.core.views import account, account_export, auth, home, search, settings_pages

app_name = "core"

urlpatterns = [
    path("", home.home, name="home"),
    # signing in and out
    path("login/", auth.SignInView.as_view(), name="login"),
    path("login/verify/", auth.verify_code, name="login_verify"),
    path("logout/", auth.sign_out, name="logout"),
    path("language/", auth.set_language, name="set_language"),
    # search
    path("search/", search.search_page, name="search"),
    path("search/suggest/", search.suggest, name="search_suggest"),
    # the signed-in user's own account
    path("account/", account.account, name="account"),
    path("account/password/", account.PasswordChange.as_view(), name="password_change"),
    path("account/two-factor/", account.two_factor, name="two_factor"),
    path("account/two-factor/disable/", account.two_factor_disable, name="two_factor_disable"),
    path("account/tokens/", account.api_tokens, name="api_tokens"),
    path("account/tokens/<int:pk>/revoke/", account.api_token_revoke, name="api_token_revoke"),
    # settings (administrators)
    path("settings/", settings_pages.settings_home, name="settings"),
    path("settings/users/", settings_pages.user_list, name="user_list"),
    path("settings/users/new/", settings_pages.user_create, name="user_create"),
    path("settings/users/<int:pk>/", settings_pages.user_edit, name="user_edit"),
    path("settings/users/<int:pk>/unlock/", settings_pages.user_unlock, name="user_unlock"),
    path(
        "settings/users/<int:pk>/deactivate/",
        settings_pages.user_deactivate,
        name="user_deactivate",
    ),
    path("settings/teams/", settings_pages.team_list, name="team_list"),
    path("settings/teams/new/", settings_pages.team_create, name="team_create"),
    path("settings/teams/<int:pk>/", settings_pages.team_edit, name="team_edit"),
    path("settings/roles/", settings_pages.role_list, name="role_list"),
    path("settings/roles/<int:pk>/", settings_pages.role_edit, name="role_edit"),
    path("settings/fields/", settings_pages.customfield_list, name="customfield_list"),
    path("settings/fields/new/", settings_pages.customfield_create, name="customfield_create"),
    path("settings/fields/<int:pk>/", settings_pages.customfield_edit, name="customfield_edit"),
    path(
        "settings/fields/<int:pk>/delete/",
        settings_pages.customfield_delete,
        name="customfield_delete",
    ),
    path("settings/export/", account_export.export_page, name="account_export"),
    path(
        "settings/export/download/", account_export.export_download, name="account_export_download"
    ),
]
