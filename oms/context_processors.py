from oms.roles import Role, user_roles


def roles(request):
    """Expose the user's roles to templates for role-aware navigation."""
    held = user_roles(getattr(request, "user", None))
    return {
        "user_roles": held,
        "is_sales": Role.SALES.value in held,
        "is_warehouse": Role.WAREHOUSE.value in held,
        "is_manager": Role.MANAGER.value in held,
    }
