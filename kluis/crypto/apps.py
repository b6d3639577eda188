from django.apps import AppConfig


class CryptoConfig(AppConfig):
    name = "kluis.crypto"
    label = "crypto"
    verbose_name = "Encryption at rest"
