import os
import pytest
from django.urls import reverse
from clientela.contacts import services
from clientela.core.models import Role, User
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_shots(live_server):
    from playwright.sync_api import sync_playwright
    u = User.objects.create_user(username="m", password="Browser-pass-123", role=Role.objects.get(code="admin"), first_name="Marta", last_name="Puig")
    co = services.create_company(actor=u, name="Acme Distribucions SL", tax_id="B12345674", phones=["+34910001122"], industry="retail", city="Girona", tags=["vip"], owner=u)
    for i, (f, l) in enumerate([("Ana","García Muñoz"),("Jordi","Puig"),("Laura","Vidal")]):
        c = services.create_contact(actor=u, first_name=f, last_name=l, company=co, emails=[f"{f.lower()}@acme.es"], phones=[f"+3460012345{i}"], tags=["vip","newsletter"], owner=u, lifecycle_stage="customer")
    services.update_contact(c, actor=u, job_title="CEO", lifecycle_stage="opportunity")
    services.delete_records([services.create_contact(actor=u, first_name="Old", last_name="Contact")], actor=u)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-gpu"])
        pg = b.new_page(viewport={"width": 1280, "height": 900})
        pg.goto(live_server.url + "/login/")
        pg.fill("#id_username", "m"); pg.fill("#id_password", "Browser-pass-123")
        pg.get_by_role("button", name="Sign in").click()
        pg.wait_for_load_state()
        for name, path in [("form", reverse("contacts:contact_edit", args=[c.pk])), ("company", reverse("contacts:company_detail", args=[co.pk])), ("trash", reverse("contacts:trash")), ("list", reverse("contacts:contact_list")), ("companies", reverse("contacts:company_list"))]:
            pg.goto(live_server.url + path)
            pg.screenshot(path=f"/tmp/ct/{name}.png", full_page=True)
        pg.goto(live_server.url + reverse("contacts:contact_edit", args=[c.pk]))
        pg.fill("#id_emails-0-email", "bad@"); pg.get_by_role("button", name="Save").click()
        pg.screenshot(path="/tmp/ct/form_err.png", full_page=True)
        pg.set_viewport_size({"width": 390, "height": 844})
        pg.goto(live_server.url + reverse("contacts:contact_list"))
        pg.screenshot(path="/tmp/ct/mobile.png", full_page=False)
        b.close()
