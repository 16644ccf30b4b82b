"""Word lists the generator draws from: invented names and titles, never real catalog data."""

from __future__ import annotations

ADJECTIVES = (
    "Silent", "Broken", "Golden", "Last", "Hidden", "Crimson", "Endless", "Frozen", "Wild",
    "Lost", "Secret", "Midnight", "Distant", "Burning", "Quiet", "Restless", "Hollow",
    "Electric", "Bitter", "Velvet", "Northern", "Savage", "Little", "Dark", "Bright",
    "Forgotten", "Shattered", "Perfect", "Reckless", "Gentle",
)
NOUNS = (
    "Harbor", "Protocol", "River", "Kingdom", "Promise", "Horizon", "Garden", "Witness",
    "Frontier", "Signal", "Orchard", "Empire", "Shadow", "Summer", "Highway", "Island",
    "Letter", "Machine", "Season", "Voyage", "Storm", "Carnival", "Lantern", "Ledger",
    "Compass", "Mirror", "Station", "Winter", "Dance", "Love", "Step", "Heart", "Game",
    "Circle", "Tide", "Valley", "Echo", "Ember", "Passage", "Canyon",
)
PLACES = (
    "Avalon", "Briar Creek", "Port Elliot", "the North", "Marisol", "Coldwater", "Kestrel Bay",
    "the Valley", "Lowell Street", "Saint Agnes", "Redmoor", "the Coast", "Vienna", "Havana",
)
SERIES_WORDS = (
    "Chronicles", "Files", "Diaries", "Squad", "Legacy", "Street", "Station", "Affair",
    "Academy", "Heights", "Unit", "Family",
)
FIRST_NAMES = (
    "Ada", "Bruno", "Clara", "Dmitri", "Elena", "Felix", "Greta", "Hugo", "Iris", "Jonas",
    "Kira", "Leon", "Maren", "Nico", "Olive", "Pavel", "Quinn", "Rosa", "Silas", "Talia",
    "Umar", "Vera", "Wes", "Xenia", "Yusuf", "Zora", "Amos", "Bettina", "Cyrus", "Delia",
    "Emil", "Fleur", "Gideon", "Hana", "Ivo", "Juno", "Kasimir", "Lena", "Milo", "Noor",
)
LAST_NAMES = (
    "Ashgrove", "Bellweather", "Castellan", "Drummond", "Everly", "Fairbanks", "Galloway",
    "Hartwell", "Ingram", "Jarrow", "Kettering", "Lindqvist", "Marchetti", "Northcott",
    "Okafor", "Pemberton", "Quillfeather", "Rourke", "Sandoval", "Thorne", "Underhill",
    "Valcourt", "Whitlock", "Yarborough", "Zeller", "Abernathy", "Brightwater", "Corvino",
    "Delacroix", "Eastwood-Lane", "Fontaine", "Greaves", "Holloway", "Iverson", "Kowalczyk",
)
CITIES = (
    "Cleveland, Ohio", "Lyon, France", "Toronto, Ontario", "Perth, Australia", "Austin, Texas",
    "Glasgow, Scotland", "Madrid, Spain", "Portland, Oregon", "Kraków, Poland", "Osaka, Japan",
)
# Main genre -> sub-genres; each title gets its main genre and a few of these.
MOVIE_GENRES = {
    "Action & Adventure": ("Action Thrillers", "Adventures", "Martial Arts", "Heist Films"),
    "Comedy": ("Romantic Comedies", "Dark Humor", "Slapstick", "Comedy Classics"),
    "Dramas": ("Period Pieces", "Courtroom Dramas", "Family Dramas", "Dramas Based on a Book"),
    "Thrillers": ("Suspense", "Psychological Thrillers", "Crime Thrillers", "Mysteries"),
    "Sci-Fi & Fantasy": ("Action Sci-Fi & Fantasy", "Sci-Fi Adventure", "Fantasy",
                         "Sci-Fi Thrillers"),
    "Horror": ("Supernatural Horror", "Creature Features", "Slasher Movies"),
    "Romance": ("Romantic Dramas", "Classic Romance"),
    "Documentary": ("Biographical Documentaries", "Nature Documentaries", "Music Documentaries"),
    "Children & Family Movies": ("Animation", "Family Adventures", "Family Sci-Fi & Fantasy"),
    "Foreign": ("Foreign Dramas", "Foreign Comedies", "Foreign Thrillers"),
    "Independent": ("Independent Dramas", "Independent Comedies"),
    "Classics": ("Classic Dramas", "Silent Films", "Film Noir"),
}
TV_GENRES = {
    "Television": ("TV Dramas", "TV Comedies", "TV Sci-Fi & Fantasy", "TV Action & Adventure",
                   "TV Mysteries", "Reality TV", "TV Documentaries"),
}
FOREIGN_LANGUAGES = ("Spanish", "French", "German", "Italian", "Japanese", "Korean", "Hindi")
MPAA_RATINGS = ("G", "PG", "PG-13", "PG-13", "R", "R", "NC-17", "NR", "UR")
TV_RATINGS = ("TV-Y", "TV-Y7", "TV-G", "TV-PG", "TV-14", "TV-14", "TV-MA", "NR")
SCREEN_FORMATS = ("Widescreen 2.35:1", "Widescreen 1.85:1", "Widescreen 1.78:1",
                  "Full screen 1.33:1")
AUDIO_FORMATS = ("Dolby Digital 5.1", "Dolby Digital 2.0", "Stereo", "Mono")
AWARDS = {
    "Academy Award": ("Best Picture", "Best Director", "Best Actor", "Best Actress",
                      "Best Original Screenplay", "Best Cinematography", "Best Film Editing",
                      "Best Visual Effects", "Best Sound", "Best Original Score"),
    "Golden Globe": ("Best Motion Picture - Drama", "Best Director", "Best Actor - Drama"),
    "Independent Spirit Award": ("Best Feature", "Best First Feature", "Best Director"),
}
SYNOPSIS_OPENINGS = (
    "{cast0} stars in this {adj} tale of a {noun} that changes everything in {place}.",
    "When a stranger arrives in {place}, {cast0} and {cast1} must decide what the {noun} "
    "is worth.",
    "In {place}, a {adj} {noun} pulls {cast0} into a dangerous game with {cast1}.",
    "{cast0} and {cast1} head an ensemble cast in this story of the {adj} {noun}.",
)
SYNOPSIS_CLOSINGS = (
    "{director} directs.",
    "Directed by {director}.",
    "{director} directs from an original screenplay.",
    "The film marks {director}'s first collaboration with {cast0}.",
)
