/* Interface texts of the planner's tools (area, view, sharing, keyboard help), in Dutch and English. */
Object.assign(window.ATLAS_TEXT.nl, {
  area: "Gebied", areaCountry: "Heel Nederland", areaKind_rom: "ROM (regionale ontwikkelingsmaatschappij)",
  areaKind_provincie: "Provincie", areaKind_corop: "COROP-regio", wholeCountry: "Heel Nederland tonen",
  areaTable: "alleen regio's in", copyLink: "Link kopiëren", linkCopied: "Link gekopieerd", profileOpened: "Profiel van {name} geopend",
  profileClosed: "Profiel gesloten", skipSearch: "Naar zoek een regio", profile: "Profiel van de regio", legend: "Legenda", png2: "Kaartbeeld PNG (2x)", png3: "Kaartbeeld PNG (3x, drukwerk)", svg: "Kaartbeeld SVG",
  csvNl: "CSV voor Nederlandse Excel (;)", downloadExtra: "Extra indicatoren in GeoJSON, GeoPackage en CSV",
  bgUnavailable: "Achtergrondkaart niet beschikbaar", bgLoaded: "Achtergrondkaart geladen",
});
Object.assign(window.ATLAS_TEXT.en, {
  area: "Area", areaCountry: "The whole Netherlands", areaKind_rom: "ROM (regional development agency)",
  areaKind_provincie: "Province", areaKind_corop: "COROP region", wholeCountry: "Show the whole country",
  areaTable: "only regions in", copyLink: "Copy link", linkCopied: "Link copied", profileOpened: "Profile of {name} opened",
  profileClosed: "Profile closed", skipSearch: "Skip to region search", profile: "Region profile", legend: "Legend", png2: "Map image PNG (2x)", png3: "Map image PNG (3x, print)", svg: "Map image SVG",
  csvNl: "CSV for Dutch Excel (;)", downloadExtra: "More indicators in GeoJSON, GeoPackage and CSV",
  bgUnavailable: "Background map unavailable", bgLoaded: "Background map loaded",
});
