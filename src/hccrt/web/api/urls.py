from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from hccrt.web.api import auth, views
from hccrt.web.api.routers import ResourceRouter
from hccrt.web.capture import models as m

router = ResourceRouter()
router.register("participants", views.ParticipantViewSet, basename="participants")
router.register("allocations", views.AllocationViewSet, basename="allocations")
router.register("queries", views.QueryViewSet, basename="queries")
GENERIC = {
    "screenings": m.Screening, "y90-plans": m.Y90Plan,
    "y90-administrations": m.Y90Administration, "sbrt-courses": m.SbrtCourse,
    "sbrt-fractions": m.SbrtFraction, "haic-cycles": m.HaicCycle,
    "systemic-therapies": m.SystemicTherapy, "visits": m.Visit, "vital-signs": m.VitalSigns,
    "labs": m.LabResult, "tumour-assessments": m.TumourAssessment, "lesions": m.Lesion,
    "adverse-events": m.AdverseEvent, "qol": m.QolResponse, "surgeries": m.SurgeryPathology,
    "subsequent-treatments": m.SubsequentTreatment, "dispositions": m.Disposition,
    "medical-history": m.MedicalHistory, "concomitant-medications": m.ConcomitantMedication,
    "protocol-deviations": m.ProtocolDeviation, "child-pugh-clinical": m.ChildPughClinical,
    "systemic-doses": m.SystemicDose, "regional-liver-function": m.RegionalLiverFunction,
    "y90-post-treatment-dosimetry": m.Y90PostTreatmentDosimetry,
}  # fmt: skip
for name, model in GENERIC.items():
    router.register(name, views.form_viewset(model, name), basename=name)

urlpatterns = [
    path("", include(router.urls)),
    path("changes/", views.ChangeFeedView.as_view(), name="changes"),
    path("auth/token/", auth.TokenView.as_view(), name="auth-token"),
    path("auth/login/", auth.LoginView.as_view(), name="auth-login"),
    path("auth/logout/", auth.LogoutView.as_view(), name="auth-logout"),
    path("auth/totp/", auth.TotpView.as_view(), name="auth-totp"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
