"""The back office: staff sign in (identity provider or, in development, a sign-in page), then write,
publish and translate content on the content API's workbench with their own access token.

`container.Office` is what the app holds (sessions, sign-in, workbench client); `desk.Desk` is one
signed-in request; the pages are in `witaj.web.routes.office`, their templates in `templates/office/`,
their texts in `locales/office/`. See the README's "Back office" section.
"""
