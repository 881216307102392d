from django.urls import path

from content import views

app_name = "content"

urlpatterns = [
    path("teach/", views.teach_index, name="teach"),
    path("teach/courses/new/", views.teach_course_new, name="teach_course_new"),
    path("teach/courses/<int:course_id>/", views.teach_course_edit, name="teach_course"),
    path("teach/courses/<int:course_id>/publish/", views.teach_course_publish, name="teach_course_publish"),
    path("teach/courses/<int:course_id>/lessons/", views.teach_lessons, name="teach_lessons"),
    path("teach/courses/<int:course_id>/lessons/new/", views.teach_lesson_new, name="teach_lesson_new"),
    path("teach/lessons/<int:lesson_id>/", views.teach_lesson_edit, name="teach_lesson"),
    path("teach/lessons/<int:lesson_id>/publish/", views.teach_lesson_publish, name="teach_lesson_publish"),
    path("teach/lessons/<int:lesson_id>/attachment/", views.teach_lesson_attachment, name="teach_lesson_attachment"),
]
