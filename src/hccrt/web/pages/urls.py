"""The pages' URLs, namespace ``pages``: sign-in here, each area's patterns from its package."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from hccrt.web.pages.forms import SignInForm

app_name = "pages"

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(
        template_name="pages/login.html", authentication_form=SignInForm,
        redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("hccrt.web.pages.dashboard.urls")),
    path("", include("hccrt.web.pages.screening.urls")),
    path("", include("hccrt.web.pages.participants.urls")),
    path("", include("hccrt.web.pages.assessments.urls")),
    path("", include("hccrt.web.pages.planning.urls")),
    path("", include("hccrt.web.pages.workspace.urls")),
]  # fmt: skip
