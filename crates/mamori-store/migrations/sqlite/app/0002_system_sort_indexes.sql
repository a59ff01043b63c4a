-- The systems list sorts by these columns (then id) and filters by segment and status: with
-- an index each page is read in order instead of sorting every system per request.
CREATE INDEX systems_segment ON systems (segment);
CREATE INDEX systems_status ON systems (status);
CREATE INDEX systems_confidentiality ON systems (confidentiality);
CREATE INDEX systems_updated ON systems (updated_at);
