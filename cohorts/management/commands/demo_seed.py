"""Load a realistic demo: one track with three stages, lessons for every day, cohorts (one open on every stage),
people and history.

Idempotent: every object is looked up by a natural key first, and a cohort's history is written only when the
cohort is created, so running it again neither fails nor duplicates anything.
"""

import random
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cohorts.completion.services import cohort_outcomes_evaluate
from cohorts.days import local_date, local_hour
from cohorts.models import CheckIn, Cohort, Comment, Enrollment, Post, PostKind, Reaction, ReactionKind
from cohorts.statuses import CohortStatus, EnrollmentStatus
from cohorts.survey.models import SurveyResponse
from content.models import Course, Lesson, Prerequisite, Track

PASSWORD = "stagewise-demo"
TZ = "Asia/Shanghai"

LEARNER_NAMES = [
    "张伟",
    "王芳",
    "李娜",
    "刘洋",
    "陈静",
    "杨磊",
    "赵敏",
    "黄晓明",
    "周杰",
    "吴倩",
    "徐子涵",
    "孙悦",
    "马超",
    "朱琳",
    "胡歌",
    "郭靖",
    "林黛玉",
    "何欣",
    "高远",
    "罗一帆",
    "José García",
    "Amélie Laurent",
    "Liam O'Brien",
    "Sofia Rossi",
    "Noah Müller",
    "Priya Sharma",
    "Kenji Tanaka",
    "𠮷野家 花子",
    "Chloé 🎨 Martin",
    "Mateus Silva",
    "Emma Johansson",
    "Olusegun Adeyemi",
    "Zoë Park",
    "Ahmed Hassan",
    "欧阳娜娜",
    "Lucas Ferreira",
    "钱多多",
    "Hannah Kim",
    "周晓彤",
    "Maria Ivanova",
]
# learner31 to learner40: the members of the cohort that ended two days ago, whose outcomes are still in review.
IN_REVIEW_MEMBERS = slice(30, 40)
# Alumni of earlier runs (alumni1..alumni60@demo.stagewise.local), so the marketer's funnel and segments have a
# history of several ended cohorts: names made from these parts, the same on every machine.
ALUMNI_COUNT = 60
ALUMNI_SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡"]
ALUMNI_GIVEN = ["子轩", "欣怡", "浩然", "梓涵", "宇航", "诗涵", "俊杰", "雨桐", "明轩", "佳怡"]
ALUMNI_LATIN = [
    "Aiko Sato",
    "Ben Carter",
    "Camila Torres",
    "Dmitri Volkov",
    "Elif Yılmaz",
    "Felix Wagner",
    "Grace Lee",
    "Hugo Dubois",
    "Isabela Costa",
    "Jonas Berg",
    "Kavya Nair",
    "León Ruiz",
    "Mia Novak",
    "Nils Ødegaard",
    "Omar Farouk",
    "Paula Schmidt",
    "Quinn Taylor",
    "Rosa Álvarez",
    "Sven Lind",
    "Tomás Ortega 🚀",
]
# The earlier runs: (stage, name, weeks before today that it started, members as slices of the alumni list).
PAST_COHORTS: list[tuple[int, str, int, list[slice]]] = [
    (1, "2026 Spring · 春季班", 34, [slice(0, 32)]),
    (1, "2026 Summer · 夏季班", 19, [slice(28, 60)]),
    (2, "Bootcamp #1 · 第一期", 28, [slice(0, 14)]),
    (2, "Bootcamp #2 · 第二期", 13, [slice(12, 16), slice(30, 42)]),
    (3, "Advanced Pilot · 高阶试点班", 9, [slice(0, 6)]),
]

STAGES: list[dict[str, Any]] = [
    {
        "stage": 1,
        "label": "Beginner",
        "slug": "python-data-beginner",
        "title": "Python for Data: First Steps · Python 数据入门",
        "days": 7,
        "price": 19900,
        "description": (
            "Seven days, one small task a day: install Python, read a CSV, clean it, and draw your first chart.\n\n"
            "七天，每天一个小任务：安装 Python、读取 CSV、清洗数据，画出你的第一张图表。"
        ),
    },
    {
        "stage": 2,
        "label": "Bootcamp",
        "slug": "python-data-bootcamp",
        "title": "Data Analysis Bootcamp · 数据分析训练营",
        "days": 21,
        "price": 129900,
        "description": (
            "Three weeks of daily practice with pandas on real data sets, reviewed by an instructor.\n\n"
            "二十一天的 pandas 实战，每日打卡，老师点评。"
        ),
    },
    {
        "stage": 3,
        "label": "Advanced",
        "slug": "python-data-advanced",
        "title": "Advanced Analytics · 高阶数据分析",
        "days": 28,
        "price": 299900,
        "description": (
            "Four weeks on statistics, experiments and a capstone project you present to the cohort.\n\n"
            "四周：统计、实验设计，以及在班级面前展示的结业项目。"
        ),
    },
]

TOPICS = [
    ("Setting up", "环境搭建", "Install Python and run your first notebook.", "安装 Python，运行第一个 notebook。"),
    ("Reading data", "读取数据", "Load a CSV file and look at its first rows.", "读取一个 CSV 文件，查看前几行。"),
    ("Cleaning", "数据清洗", "Find and fix missing values.", "找出并处理缺失值。"),
    ("Grouping", "分组统计", "Group by a column and compare the groups.", "按某一列分组并比较各组。"),
    ("Charts", "可视化", "Draw a bar chart and a line chart.", "画一张柱状图和一张折线图。"),
    ("Joining", "数据合并", "Join two tables on a key.", "按键合并两张表。"),
    ("Telling the story", "讲故事", "Write three sentences about what the data says.", "用三句话写下数据告诉你的事。"),
]


RULES = (
    "1. Check in every day, even briefly — what you did, what blocked you.\n"
    "2. Be kind in comments; critique the work, not the person.\n"
    "3. No ads or unrelated links. Two strikes and you leave the cohort.\n\n"
    "1. 每天打卡，哪怕只写几句：做了什么、卡在哪里。\n2. 评论友善，对事不对人。\n3. 禁止广告和无关链接，两次警告将被移出本期。"
)
ANNOUNCEMENTS = [
    (
        "Welcome to Bootcamp #3! Read the group rules, then post your first check-in today. 🎉\n\n"
        "欢迎来到第三期！先读群规，今天就发出你的第一条打卡。",
        1,
        True,
    ),
    (
        "Live Q&A on Thursday at 20:00 (Asia/Shanghai). Bring your questions about groupby.\n\n"
        "周四晚 8 点直播答疑，带上你关于 groupby 的问题。",
        5,
        False,
    ),
]
REVIEWS = [
    "Clear write-up — next time label the chart's axes. 写得很清楚，下次记得给坐标轴加标签。",
    "精选！思路很清晰，特别是处理缺失值的部分。",
    "Great use of merge; check the row count before and after. 合并用得好，前后记得核对行数。",
]
PEER_COMMENTS = ["加油！💪", "Same problem here, thanks for the tip!", "学到了，谢谢分享 🙏", "Nice chart!"]

# The default questions, as the members saw them (in English: the demo's answers mix both languages anyway).
SURVEY_REPLIES = [
    (
        "What helped you most?",
        [
            "The daily task: small enough to do after work. 每天的任务量刚好，下班后也能完成。",
            "老师的点评很具体，知道自己哪里可以改进。",
            "Seeing everyone's check-ins in the feed kept me going.",
            "打卡群的氛围很好，大家互相鼓励。",
        ],
    ),
    (
        "What should we change for the next cohort?",
        [
            "More time for the charts day — one day was not enough.",
            "希望直播答疑能有回放。",
            "The setup day was hard on Windows; a video would help. Windows 安装那天有点难。",
            "任务说明可以再多给一个例子。",
        ],
    ),
]


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        self._password_hash = make_password(PASSWORD)
        rng = random.Random(20261121)  # the same history on every machine
        now = timezone.now()
        with transaction.atomic():
            people = self._people()
            courses = self._ladder(people["instructor"])
            self._cohorts(courses, people, now, rng)
            self._open_on_every_stage(courses, now)
            self._ended_with_outcomes(courses[0], people["learners"], now, rng)
            self._past_cohorts(courses, self._alumni(), now, rng)
        self._print_logins(people)

    def _user(self, email: str, name: str, **fields: Any) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            # One hash for every demo account: hashing is deliberately slow, and they share a password.
            user = User.objects.create_user(email=email, password=None, display_name=name, **fields)
            user.password = self._password_hash
            user.save(update_fields=["password"])
        return user

    def _people(self) -> dict[str, Any]:
        learners = []
        for n, name in enumerate(LEARNER_NAMES, start=1):
            language = "zh-hans" if any("\u4e00" <= ch <= "\u9fff" for ch in name) else "en"
            learners.append(self._user(f"learner{n}@demo.stagewise.local", name, timezone=TZ, language=language))
        return {
            "instructor": self._user(
                "teacher@demo.stagewise.local", "王老师 (Wang Lei)", is_instructor=True, timezone=TZ, language="zh-hans"
            ),
            "marketer": self._user("marketer@demo.stagewise.local", "Maya Chen 陈美", is_marketer=True, timezone=TZ),
            "staff": self._user(
                "staff@demo.stagewise.local", "Ops Admin", is_staff=True, is_superuser=True, timezone=TZ
            ),
            "learners": learners,
        }

    def _ladder(self, instructor: User) -> list[Course]:
        track, _ = Track.objects.get_or_create(
            slug="python-data",
            defaults={
                "title": "Python for Data · Python 数据分析",
                "description": "From your first CSV to a capstone project, one stage at a time. 一步一个台阶。",
                "owner": instructor,
            },
        )
        courses = []
        for spec in STAGES:
            course, created = Course.objects.get_or_create(
                track=track,
                stage=spec["stage"],
                defaults={
                    "slug": spec["slug"],
                    "stage_label": spec["label"],
                    "title": spec["title"],
                    "description": spec["description"],
                    "price_minor": spec["price"],
                    "currency": "CNY",
                    "duration_days": spec["days"],
                    "prerequisite": Prerequisite.NONE if spec["stage"] == 1 else Prerequisite.PREVIOUS_STAGE,
                    "is_published": True,
                },
            )
            if created:
                course.instructors.add(instructor)
                Lesson.objects.bulk_create(self._lessons(course))
            courses.append(course)
        return courses

    def _lessons(self, course: Course) -> list[Lesson]:
        lessons = []
        for day in range(1, course.duration_days + 1):
            en, zh, task_en, task_zh = TOPICS[(day - 1) % len(TOPICS)]
            week = (day - 1) // len(TOPICS) + 1
            lessons.append(
                Lesson(
                    course=course,
                    day=day,
                    title=f"{en} · {zh}" + (f" ({week})" if course.duration_days > 7 else ""),
                    body=(
                        "Today's reading is short: work through the notebook and take notes.\n\n"
                        "今天的阅读很短：跟着 notebook 走一遍，记下笔记。\n\n- Watch the 10-minute video\n"
                        "- Try the exercises\n- 把遇到的问题写进打卡"
                    ),
                    task=f"{task_en}\n\n{task_zh}",
                    links=[{"title": "pandas docs", "url": "https://pandas.pydata.org/docs/"}],
                    is_published=True,
                )
            )
        return lessons

    def _cohort(self, course: Course, name: str, starts_on: Any, status: str, capacity: int) -> tuple[Cohort, bool]:
        return Cohort.objects.get_or_create(
            course=course,
            name=name,
            defaults={
                "timezone": TZ,
                "enrollment_opens_on": starts_on - timedelta(days=21),
                "enrollment_closes_on": starts_on,
                "starts_on": starts_on,
                "ends_on": starts_on + timedelta(days=course.duration_days - 1),
                "capacity": capacity,
                "status": status,
                "scheduled": True,
            },
        )

    def _cohorts(self, courses: list[Course], people: dict[str, Any], now: datetime, rng: random.Random) -> None:
        beginner, bootcamp, advanced = courses
        today = local_date(tz=TZ, at=now)
        learners = people["learners"]

        # Ended: the beginner course, finished a week ago.
        ended_start = today - timedelta(days=beginner.duration_days + 7)
        ended, created = self._cohort(beginner, "2026 Autumn · 秋季班", ended_start, CohortStatus.ENDED, 40)
        if created:
            for learner in learners[:30]:
                rate = rng.choice([1.0, 1.0, 0.9, 0.85, 0.7, 0.4])
                enrollment = self._enroll(ended, learner, now - timedelta(days=30))
                self._history(ended, enrollment, rate, ended.duration_days, rng)

        # Running: the bootcamp on its day 9.
        running_start = today - timedelta(days=8)
        running, created = self._cohort(bootcamp, "Bootcamp #3 · 第三期", running_start, CohortStatus.RUNNING, 35)
        if created:
            for learner in learners[:30]:
                rate = rng.choice([1.0, 1.0, 0.95, 0.9, 0.8, 0.6, 0.3])
                enrollment = self._enroll(running, learner, now - timedelta(days=20))
                # Days 1..8 are over; some learners already checked in today (day 9).
                self._history(running, enrollment, rate, 8, rng)
                if rng.random() < 0.4:
                    self._checkin(running, enrollment, 9, rng, at=now)

        self._feed(running, people["instructor"], now)

        # Open for enrollment: the next bootcamp and the advanced course.
        self._cohort(bootcamp, "Bootcamp #4 · 第四期", today + timedelta(days=12), CohortStatus.OPEN, 30)
        opened, created = self._cohort(
            advanced, "Advanced #1 · 高阶一期", today + timedelta(days=19), CohortStatus.OPEN, 20
        )
        if created:
            for learner in learners[:4]:
                self._enroll(opened, learner, now - timedelta(days=2))

    def _open_on_every_stage(self, courses: list[Course], now: datetime) -> None:
        """A newcomer can start: every stage has a cohort open for enrollment (the beginner course's next run; the
        other stages' open cohorts are made with their history in ``_cohorts``)."""
        today = local_date(tz=TZ, at=now)
        beginner = courses[0]
        self._cohort(beginner, "2027 Winter · 冬季班", today + timedelta(days=10), CohortStatus.OPEN, 40)

    def _ended_with_outcomes(self, beginner: Course, learners: list[User], now: datetime, rng: random.Random) -> None:
        """The end of a cohort as its people meet it: the autumn cohort's outcomes were evaluated when it ended and
        its review window is over (``demo_seed_billing`` closes it once the seats have their orders, so the offers
        carry credit); a second run ended two days ago and its instructor is still reviewing. Members of both have
        answered the survey, so the NPS chart has a line. Idempotent: the evaluation claims a cohort once, and a
        survey answer is looked up by its enrollment."""
        today = local_date(tz=TZ, at=now)
        in_review, created = self._cohort(
            beginner,
            "2026 Late Autumn · 深秋班",
            today - timedelta(days=beginner.duration_days + 1),
            CohortStatus.ENDED,
            20,
        )
        if created:
            for learner in learners[IN_REVIEW_MEMBERS]:
                rate = rng.choice([1.0, 1.0, 0.9, 0.8, 0.7, 0.5])
                enrollment = self._enroll(in_review, learner, now - timedelta(days=20))
                self._history(in_review, enrollment, rate, in_review.duration_days, rng)
        autumn = Cohort.objects.get(course=beginner, name="2026 Autumn · 秋季班")
        for cohort in (autumn, in_review):
            # As the scheduler does, a few minutes after the last day and its grace are over.
            cohort_outcomes_evaluate(cohort_id=cohort.pk, now=min(cohort.ends_at + timedelta(minutes=5), now))
            # The in-review login (printed below) has the survey still to answer.
            self._survey_answers(cohort, now, skip=learners[IN_REVIEW_MEMBERS.start])

    def _alumni(self) -> list[User]:
        alumni = []
        for n in range(1, ALUMNI_COUNT + 1):
            if n % 3 == 0:
                name, language = ALUMNI_LATIN[(n // 3 - 1) % len(ALUMNI_LATIN)], "en"
            else:
                surname = ALUMNI_SURNAMES[n % len(ALUMNI_SURNAMES)]
                name, language = surname + ALUMNI_GIVEN[n % len(ALUMNI_GIVEN)], "zh-hans"
            alumni.append(self._user(f"alumni{n}@demo.stagewise.local", name, timezone=TZ, language=language))
        return alumni

    def _past_cohorts(self, courses: list[Course], alumni: list[User], now: datetime, rng: random.Random) -> None:
        """Earlier runs of every stage, ended weeks or months ago, with their check-ins, outcomes and survey answers:
        the ladder's history the marketer segments and the funnel draws (who finished stage 1 and moved up, who
        stopped). Members of a later stage's run are taken from the earlier stage's runs, as people move up."""
        today = local_date(tz=TZ, at=now)
        for stage, name, weeks_ago, member_slices in PAST_COHORTS:
            course = courses[stage - 1]
            cohort, created = self._cohort(course, name, today - timedelta(weeks=weeks_ago), CohortStatus.ENDED, 40)
            if created:
                members = [learner for part in member_slices for learner in alumni[part]]
                for learner in members:
                    rate = rng.choice([1.0, 0.95, 0.9, 0.85, 0.8, 0.6, 0.4, 0.2])
                    enrollment = self._enroll(
                        cohort, learner, cohort.ends_at - timedelta(days=course.duration_days + 9)
                    )
                    self._history(cohort, enrollment, rate, course.duration_days, rng)
            cohort_outcomes_evaluate(cohort_id=cohort.pk, now=cohort.ends_at + timedelta(minutes=5))
            self._survey_answers(cohort, now, skip=alumni[-1])

    def _survey_answers(self, cohort: Cohort, now: datetime, skip: User) -> None:
        """About two in three members (never ``skip``) answer, within a day of the outcomes."""
        cohort.refresh_from_db(fields=["outcomes_evaluated_at"])
        answered_from = cohort.outcomes_evaluated_at or now
        for enrollment in (
            Enrollment.objects.filter(
                cohort=cohort, status__in=(EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED)
            )
            .exclude(learner=skip)
            .order_by("pk")
        ):
            rng = random.Random(enrollment.pk)  # the same answers on every run
            if rng.random() > 0.66:
                continue
            completed = enrollment.status == EnrollmentStatus.COMPLETED
            score = rng.choice([10, 10, 9, 9, 9, 8, 7, 6] if completed else [9, 8, 7, 6, 5, 3])
            answers = [
                {"question": question, "answer": rng.choice(replies)}
                for question, replies in SURVEY_REPLIES
                if rng.random() < 0.7
            ]
            SurveyResponse.objects.get_or_create(
                enrollment=enrollment,
                defaults={
                    "score": score,
                    "answers": answers,
                    "created_at": min(answered_from + timedelta(minutes=rng.randint(20, 24 * 60)), now),
                },
            )

    def _enroll(self, cohort: Cohort, learner: User, at: datetime) -> Enrollment:
        enrollment, _ = Enrollment.objects.get_or_create(
            cohort=cohort, learner=learner, defaults={"status": EnrollmentStatus.ACTIVE, "status_changed_at": at}
        )
        return enrollment

    def _history(self, cohort: Cohort, enrollment: Enrollment, rate: float, last_day: int, rng: random.Random) -> int:
        count = 0
        for day in range(1, last_day + 1):
            if rng.random() <= rate:
                self._checkin(cohort, enrollment, day, rng)
                count += 1
        return count

    def _checkin(
        self, cohort: Cohort, enrollment: Enrollment, day: int, rng: random.Random, at: datetime | None = None
    ) -> None:
        on = cohort.starts_on + timedelta(days=day - 1)
        created_at = at or local_hour(tz=cohort.timezone, on=on, hour=rng.choice([8, 12, 19, 21, 22]))
        created_at = min(created_at, timezone.now())
        texts = [
            "Finished the exercises; the groupby part took me a while but it clicked. 今天的分组练习终于搞懂了！",
            "完成今日任务，画了两张图，柱状图配色还要再调一调。",
            "Read the notebook twice. Missing values are sneaky. 缺失值真是防不胜防。",
            "Done ✅ — joined the two tables and found 12 orders without customers.",
            "今天有点忙，只做了前两道题，明天补上后面的。",
        ]
        checkin, _ = CheckIn.objects.get_or_create(
            enrollment=enrollment,
            day=day,
            defaults={"local_date": on, "text": rng.choice(texts), "created_at": created_at},
        )
        Post.objects.get_or_create(
            checkin=checkin,
            defaults={
                "cohort": cohort,
                "author_id": enrollment.learner_id,
                "kind": PostKind.CHECKIN,
                "created_at": checkin.created_at,
            },
        )

    def _feed(self, cohort: Cohort, instructor: User, now: datetime) -> None:
        """Rules, announcements (one pinned), featured check-ins with reviews, peer reactions and comments."""
        if not cohort.rules:
            Cohort.objects.filter(pk=cohort.pk).update(rules=RULES)
        # Every check-in is in the feed (also for demos seeded before the feed existed).
        Post.objects.bulk_create(
            Post(
                cohort=cohort,
                author_id=c.enrollment.learner_id,
                kind=PostKind.CHECKIN,
                checkin=c,
                created_at=c.created_at,
            )
            for c in CheckIn.objects.filter(enrollment__cohort=cohort, post__isnull=True).select_related("enrollment")
        )
        for body, day, pinned in ANNOUNCEMENTS:
            Post.objects.get_or_create(
                cohort=cohort,
                kind=PostKind.ANNOUNCEMENT,
                body=body,
                defaults={
                    "author": instructor,
                    "is_pinned": pinned,
                    "created_at": min(
                        local_hour(tz=cohort.timezone, on=cohort.starts_on + timedelta(days=day - 1), hour=9), now
                    ),
                },
            )
        members = list(
            Enrollment.objects.filter(cohort=cohort).order_by("learner_id").values_list("learner_id", flat=True)
        )
        posts = list(
            Post.objects.filter(cohort=cohort, kind=PostKind.CHECKIN)
            .select_related("checkin")
            .order_by("-created_at")[:60]
        )
        for index, post in enumerate(posts):
            rng = random.Random(post.pk)  # the same reactions on every run
            for user_id in rng.sample(members, k=rng.randint(0, 6)):
                if user_id != post.author_id:
                    Reaction.objects.get_or_create(
                        post=post, user_id=user_id, defaults={"kind": rng.choice(ReactionKind.values)}
                    )
            if index % 9 == 0 and post.checkin_id is not None:
                CheckIn.objects.filter(pk=post.checkin_id).update(
                    is_featured=True, reviewed_by=instructor, reviewed_at=post.created_at + timedelta(hours=2)
                )
                Comment.objects.get_or_create(
                    post=post,
                    author=instructor,
                    is_review=True,
                    defaults={"body": rng.choice(REVIEWS), "created_at": post.created_at + timedelta(hours=2)},
                )
            elif index % 5 == 0 and members:
                Comment.objects.get_or_create(
                    post=post,
                    author_id=rng.choice([m for m in members if m != post.author_id] or members),
                    defaults={"body": rng.choice(PEER_COMMENTS), "created_at": post.created_at + timedelta(hours=1)},
                )

    def _print_logins(self, people: dict[str, Any]) -> None:
        out = self.stdout
        out.write("")
        out.write(self.style.SUCCESS("Stagewise demo is ready on http://127.0.0.1:8000"))
        out.write(f"All demo accounts use the password: {PASSWORD}")
        rows = [
            ("instructor", people["instructor"]),
            ("marketer", people["marketer"]),
            ("staff (admin at /admin/)", people["staff"]),
            ("learner", people["learners"][0]),
            ("learner", people["learners"][20]),
            ("learner (in review)", people["learners"][IN_REVIEW_MEMBERS.start]),
        ]
        for role, user in rows:
            out.write(f"  {role:<26} {user.email:<36} {user.display_name}")
        out.write(
            f"  (and {len(people['learners']) - 3} more learners: learner1..{len(people['learners'])}@demo.stagewise.local)"
        )
        out.write("")
