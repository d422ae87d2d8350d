"""Shared classifications: the 35 arbeidsmarktregio's with their province, and sectors."""

from __future__ import annotations

PROVINCES = (
    "Groningen",
    "Fryslân",
    "Drenthe",
    "Overijssel",
    "Flevoland",
    "Gelderland",
    "Utrecht",
    "Noord-Holland",
    "Zuid-Holland",
    "Zeeland",
    "Noord-Brabant",
    "Limburg",
)

# The 35 labour-market regions (arbeidsmarktregio's) and the province each mostly lies in.
ARBEIDSMARKTREGIOS: dict[str, str] = {
    "Groningen": "Groningen",
    "Fryslân": "Fryslân",
    "Drenthe": "Drenthe",
    "Regio Zwolle": "Overijssel",
    "Twente": "Overijssel",
    "Stedendriehoek en Noordwest Veluwe": "Gelderland",
    "Achterhoek": "Gelderland",
    "Midden-Gelderland": "Gelderland",
    "Rijk van Nijmegen": "Gelderland",
    "FoodValley": "Gelderland",
    "Rivierenland": "Gelderland",
    "Flevoland": "Flevoland",
    "Midden-Utrecht": "Utrecht",
    "Amersfoort": "Utrecht",
    "Gooi en Vechtstreek": "Noord-Holland",
    "Zaanstreek/Waterland": "Noord-Holland",
    "Groot Amsterdam": "Noord-Holland",
    "Noord-Holland Noord": "Noord-Holland",
    "Zuid-Kennemerland en IJmond": "Noord-Holland",
    "Holland Rijnland": "Zuid-Holland",
    "Haaglanden": "Zuid-Holland",
    "Zuid-Holland Centraal": "Zuid-Holland",
    "Midden-Holland": "Zuid-Holland",
    "Rijnmond": "Zuid-Holland",
    "Drechtsteden": "Zuid-Holland",
    "Gorinchem": "Zuid-Holland",
    "Zeeland": "Zeeland",
    "West-Brabant": "Noord-Brabant",
    "Midden-Brabant": "Noord-Brabant",
    "Noordoost-Brabant": "Noord-Brabant",
    "Zuidoost-Brabant": "Noord-Brabant",
    "Helmond-De Peel": "Noord-Brabant",
    "Noord-Limburg": "Limburg",
    "Midden-Limburg": "Limburg",
    "Zuid-Limburg": "Limburg",
}

# Sector taxonomy of docs/domain.md (marketplace categories); labels are Dutch, keys stable.
SECTORS: dict[str, str] = {
    "logistiek": "Logistiek",
    "schoonmaak": "Schoonmaak",
    "groenvoorziening": "Groenvoorziening",
    "horeca_catering": "Horeca & catering",
    "beveiliging": "Beveiliging",
    "zorg_welzijn": "Zorg & welzijn",
    "productie_assemblage": "Productie & assemblage",
    "facilitair": "Facilitair",
    "ict_administratie": "ICT & administratie",
    "bouw": "Bouw",
    "textiel": "Textiel",
    "drukwerk_post": "Drukwerk & post",
    "reintegratie_training": "Re-integratie & training",
}
