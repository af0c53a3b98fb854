"""The courses' and certificates' content versions, bumped in the flush that changes them
(`content_versions` explains the versions): a course import, a certificate issued or removed."""

from cta_learning.content_versions import bump_when, touches
from cta_learning.courses.models import Certificate, Chapter, Course, Lesson

COURSES = "courses"
CERTIFICATES = "certificates"

bump_when(COURSES, touches(Course, Chapter, Lesson))
bump_when(CERTIFICATES, touches(Certificate))
