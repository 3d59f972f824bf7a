-- Postcode centroids a partnership loads (the ONS Postcode Directory, or its own list),
-- so that its Local Offer can find services near a family's postcode (issue 16). The
-- outward code is kept so that a postcode not in the table can be placed at the centre
-- of its outward code's postcodes. Kept in lockstep with the other backend's copy.
CREATE TABLE local_offer_postcodes (
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    postcode TEXT NOT NULL,
    outcode TEXT NOT NULL,
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    PRIMARY KEY (partnership_id, postcode)
);
CREATE INDEX local_offer_postcodes_outcode ON local_offer_postcodes (partnership_id, outcode);
