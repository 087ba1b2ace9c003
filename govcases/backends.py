"""Signing in, without Django's per-model permissions."""

from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    """Signs users in by user name and password as Django's ModelBackend does, but grants no permission:
    who may do what is answered by the rules in govcases.permissions and reviews.permissions alone."""

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False
