from django.contrib import admin

from content.models import Course, Lesson, Track


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ["title", "slug"]
    search_fields = ["title"]


class LessonInline(admin.TabularInline):
    model = Lesson
    fields = ["day", "title", "is_published"]
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "track",
        "stage",
        "stage_label",
        "price_minor",
        "currency",
        "duration_days",
        "is_published",
    ]
    list_filter = ["track", "is_published"]
    filter_horizontal = ["instructors"]
    inlines = [LessonInline]
    search_fields = ["title"]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["course", "day", "title", "is_published"]
    list_filter = ["course", "is_published"]
