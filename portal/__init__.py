"""The Mayak integration hub: application factory."""

from flask import Flask

from portal import config as config_module
from portal.extensions import babel, csrf, db, login_manager, migrate


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, error handlers, commands."""
    root = config_module.ROOT
    app = Flask(
        __name__,
        instance_path=str(config_module.INSTANCE),
        template_folder=str(root / "templates"),
        static_folder=str(root / "static"),
    )
    app.config.from_object(config_module.Config)
    app.config.update(overrides or {})
    app.json.ensure_ascii = False
    config_module.finalize(app.config)
    config_module.INSTANCE.mkdir(parents=True, exist_ok=True)

    from portal import database, i18n, logging_setup, queueing, security

    logging_setup.init_app(app)
    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(root / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    queueing.init_app(app)
    security.init_app(app)

    from portal import (
        api,
        api_docs,
        audit,
        auth,
        dashboard,
        donor,
        logs,
        message_templates,
        messages,
        moderation,
        monitoring,
        payments,
        retry,
        statistics,
        system,
        users,
        webhooks,
    )
    from portal.audit import recording

    recording.init_app(app)
    app.register_blueprint(audit.bp, url_prefix="/audit")
    app.register_blueprint(auth.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(donor.bp, url_prefix="/donor")
    app.register_blueprint(messages.bp, url_prefix="/messages")
    app.register_blueprint(payments.bp)
    app.register_blueprint(moderation.bp, url_prefix="/moderation")
    app.register_blueprint(message_templates.bp, url_prefix="/templates")
    app.register_blueprint(retry.bp, url_prefix="/retry")
    app.register_blueprint(statistics.bp, url_prefix="/statistics")
    app.register_blueprint(logs.bp, url_prefix="/logs")
    app.register_blueprint(monitoring.bp, url_prefix="/monitoring")
    app.register_blueprint(system.bp)
    app.register_blueprint(users.bp, url_prefix="/users")
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    app.register_blueprint(api_docs.bp)
    app.register_blueprint(webhooks.bp, url_prefix="/webhooks")
    if app.config["SANDBOX"]:
        from portal import sandbox

        app.register_blueprint(sandbox.bp, url_prefix="/sandbox")
        app.register_blueprint(sandbox.providers_bp, url_prefix="/sandbox")
        csrf.exempt(sandbox.providers_bp)
    csrf.exempt(api.bp)
    csrf.exempt(webhooks.bp)

    from portal import cli, errors, template_filters

    errors.init_app(app)
    template_filters.init_app(app)
    cli.init_app(app)
    return app
