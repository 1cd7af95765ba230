app_name = "quotas"

urlpatterns: list = []
