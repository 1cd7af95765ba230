from django.urls import path

from attain.coaching import views

app_name = "coaching"
urlpatterns = [
    path("", views.home, name="home"),
    path("reps/", views.rep_lookup, name="rep_lookup"),
    path("reps/<int:pk>/", views.rep_profile, name="rep_profile"),
    path("reps/<int:pk>/goal/", views.goal_edit, name="goal_edit"),
    path("reps/<int:pk>/skills/", views.skill_rate, name="skill_rate"),
    path("reps/<int:pk>/role-plays/", views.role_play_assign, name="role_play_assign"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/items/", views.item_add, name="item_add"),
    path("sessions/<int:pk>/follow-up/", views.session_follow_up, name="session_follow_up"),
    path("sessions/<int:pk>/reviews/", views.review_add, name="review_add"),
    path("sessions/<int:pk>/role-plays/", views.role_play_add, name="role_play_add"),
    path("reviews/<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("reviews/<int:pk>/recording/", views.recording, name="recording"),
    path("items/<int:pk>/done/", views.item_done, name="item_done"),
    path("training/new/", views.training_new, name="training_new"),
    path("training/<int:pk>/", views.training_detail, name="training_detail"),
    path("skills/", views.skills_matrix, name="skills"),
    path("scenarios/", views.scenario_list, name="scenarios"),
]
