"""Pay pages: runs (finance and RevOps), statements and inquiries (everyone), modelling."""

from attain.payouts import urls_modelling, urls_runs, urls_statements

app_name = "payouts"

urlpatterns = [
    *urls_statements.urlpatterns,
    *urls_runs.urlpatterns,
    *urls_modelling.urlpatterns,
]
