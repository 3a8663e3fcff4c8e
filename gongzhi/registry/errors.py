"""Why the registry refuses a write, for machines (the API's ``error.code``); the message is Chinese.

The first codes are kept as they were before codes moved here (API clients use them)."""

from enum import StrEnum


class RegistryError(StrEnum):
    PLACE_EXISTS = "place_exists"
    UNIT_EXISTS = "unit_exists"
    ID_NUMBER_TAKEN = "id_number_taken"
    OWNERSHIP_EXISTS = "ownership_exists"
    OWNERSHIP_ENDED = "ownership_ended"
    RESIDENCY_EXISTS = "residency_exists"
    RESIDENCY_ENDED = "registry.residency_ended"
    NOT_AN_ESTATE = "registry.not_an_estate"
    ROSTER_FILE = "registry.roster_file"
