"""The app's settings plus one bare view (bench/urls.py): the floor every page is measured against."""

from safety_office.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
