"""The public site: published rounds only, read from their frozen publications."""

from django.shortcuts import render


def home(request):
    return render(request, "govcases/public/home.html", {})
