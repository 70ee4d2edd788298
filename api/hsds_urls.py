# Open Referral HSDS 3.0 export: filled in by the HSDS work.
urlpatterns: list = []
