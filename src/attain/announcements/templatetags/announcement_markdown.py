from django import template
from django.utils.safestring import mark_safe

from attain.announcements.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """``{{ section|markdown }}``: Markdown rendered and sanitised (allow-list) to HTML."""
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3 just above
