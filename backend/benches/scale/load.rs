//! The dataset: generated in the database with set-based SQL, deterministic ids (`scale.id`:
//! an md5 of kind and number, as random-looking as the product's own UUIDs), Zipf-skewed
//! popularity (`scale.zipf`), triggers and foreign-key checks off while loading
//! (`session_replication_role = replica`: the rows are made consistent by construction), then
//! the denormalised totals recounted in one pass, as the triggers would have left them.

use std::time::Instant;

use sqlx::{Connection, PgConnection};

/// Bumped when the generated data changes shape: a loaded database of another version is
/// dropped and made again.
pub const VERSION: i32 = 2;

/// How much to make. `full()` is the size; `scaled(f)` keeps the proportions.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub artists: i64,
    pub venues: i64,
    pub shows: i64,
    pub users: i64,
    pub votes: i64,
    pub predictions: i64,
    pub follows_per_user: i64,
}

/// Lines of each kind of list.
pub const COMMUNITY_LINES: i64 = 25;
pub const ACTUAL_LINES: i64 = 20;
pub const PREDICTION_LINES: i64 = 20;
/// Songs in each artist's catalogue.
pub const CATALOGUE: i64 = 40;

impl Size {
    pub fn scaled(f: f64) -> Self {
        let n = |base: f64, floor: i64| ((base * f) as i64).max(floor);
        Self {
            artists: n(5_000.0, 20),
            venues: n(20_000.0, 50),
            shows: n(100_000.0, 200),
            users: n(1_000_000.0, 2_000),
            votes: n(10_000_000.0, 20_000),
            // 250,000 predictions of 20 lines: 5,000,000 prediction lines.
            predictions: n(250_000.0, 500),
            follows_per_user: 5,
        }
    }

    /// The key the loaded database is recognised by.
    pub fn key(&self) -> String {
        format!(
            "v{VERSION}:{}a:{}v:{}s:{}u:{}votes:{}p",
            self.artists, self.venues, self.shows, self.users, self.votes, self.predictions
        )
    }
}

/// Generated ids of each kind: `scale.id(kind, n)`.
pub mod kind {
    pub const SHOW: i32 = 3;
    pub const COMMUNITY_LINE: i32 = 5;
}

fn steps(s: &Size) -> Vec<(&'static str, String)> {
    let Size {
        artists: a,
        venues: v,
        shows: sh,
        users: u,
        votes,
        predictions: p,
        follows_per_user: fpu,
    } = *s;
    let (cl, al, pl, cat) = (COMMUNITY_LINES, ACTUAL_LINES, PREDICTION_LINES, CATALOGUE);
    vec![
        ("helpers", String::from(
            "CREATE SCHEMA scale;
             CREATE FUNCTION scale.id(kind int, n bigint) RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE
                 AS $$ SELECT md5(kind::text || ':' || n::text)::uuid $$;
             -- A Zipf(1) rank in 1..n from a uniform u (continuous inverse CDF).
             CREATE FUNCTION scale.zipf(n bigint, u float8) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
                 AS $$ SELECT least(n, greatest(1, floor(power(n + 1, u))::bigint)) $$;
             CREATE TABLE scale.meta (key text NOT NULL, step text NOT NULL, seconds float8 NOT NULL, detail text);
             SELECT setseed(0.42)"
        )),
        ("artists", format!(
            "INSERT INTO artists (id, name, slug, genres, popularity, followers, created_at)
             SELECT scale.id(1, n), 'Artist ' || n, 'artist-' || n,
                    ARRAY[(ARRAY['rock','pop','indie','metal','folk'])[1 + n % 5]],
                    greatest(1, 100 - n * 100 / {a})::int, (1000000 / n)::bigint, now() - interval '2 years'
             FROM generate_series(1::bigint, {a}) n"
        )),
        ("venues", format!(
            "INSERT INTO venues (id, name, city, country_code, timezone, location)
             SELECT scale.id(2, n), 'Venue ' || n, 'City ' || c, 'US', 'UTC',
                    ST_SetSRID(ST_MakePoint(-120 + (c * 7) % 240 + (random() - 0.5) * 0.4,
                                            -40 + (c * 13) % 100 + (random() - 0.5) * 0.4), 4326)::geography
             FROM (SELECT n, 1 + n % 500 AS c FROM generate_series(1::bigint, {v}) n) x"
        )),
        ("shows", format!(
            "INSERT INTO shows (id, headliner_artist_id, venue_id, date, start_time, starts_at, status, created_at)
             SELECT scale.id(3, n), scale.id(1, 1 + (n - 1) % {a}), scale.id(2, 1 + (n * 104729) % {v}),
                    d, '20:00', (d + time '20:00') AT TIME ZONE 'UTC',
                    CASE WHEN d < current_date THEN 'completed'::show_status ELSE 'upcoming' END, d - 120
             FROM (SELECT n, current_date + ((n * 7919) % 730 - 365)::int AS d FROM generate_series(1::bigint, {sh}) n) x;
             INSERT INTO show_artists (show_id, artist_id, role, position)
             SELECT scale.id(3, n), scale.id(1, 1 + (n - 1) % {a}), 'headliner', 0 FROM generate_series(1::bigint, {sh}) n"
        )),
        ("catalogue", format!(
            "INSERT INTO songs (id, title, normalized_title, album, release_date, popularity)
             SELECT scale.id(10, x * 100 + k), 'Song ' || k || ' of ' || x, 'song ' || k || ' of ' || x,
                    'Album ' || (1 + k / 10), date '2015-01-01' + (k * 60)::int, 100 - k
             FROM generate_series(1::bigint, {a}) x, generate_series(1::bigint, {cat}) k;
             INSERT INTO artist_songs (artist_id, song_id)
             SELECT scale.id(1, x), scale.id(10, x * 100 + k) FROM generate_series(1::bigint, {a}) x, generate_series(1::bigint, {cat}) k"
        )),
        ("community lists", format!(
            "INSERT INTO setlists (id, show_id, artist_id, kind, source, created_at)
             SELECT scale.id(4, n), scale.id(3, n), scale.id(1, 1 + (n - 1) % {a}), 'predicted', 'community', now() - interval '1 year'
             FROM generate_series(1::bigint, {sh}) n;
             INSERT INTO setlist_songs (id, setlist_id, song_id, title, position, created_at)
             SELECT scale.id(5, n * 100 + p), scale.id(4, n), scale.id(10, (1 + (n - 1) % {a}) * 100 + 1 + (p + n) % {cat}),
                    'Song ' || (1 + (p + n) % {cat}) || ' of ' || (1 + (n - 1) % {a}), p, now() - interval '1 year'
             FROM generate_series(1::bigint, {sh}) n, generate_series(1::bigint, {cl}) p"
        )),
        ("actual lists", format!(
            "INSERT INTO setlists (id, show_id, artist_id, kind, source, moderation_status, verified_version, verified_at)
             SELECT scale.id(8, n), scale.id(3, n), scale.id(1, 1 + (n - 1) % {a}), 'actual', 'setlistfm',
                    CASE WHEN n % 5 = 0 THEN 'approved' ELSE 'verified' END::moderation_status,
                    CASE WHEN n % 5 = 0 THEN NULL ELSE 1 END, CASE WHEN n % 5 = 0 THEN NULL ELSE now() END
             FROM generate_series(1::bigint, {sh}) n WHERE current_date + ((n * 7919) % 730 - 365)::int < current_date;
             INSERT INTO setlist_songs (id, setlist_id, song_id, title, position)
             SELECT scale.id(6, n * 100 + p), scale.id(8, n), scale.id(10, (1 + (n - 1) % {a}) * 100 + 1 + (p * 3 + n) % {cat}),
                    'Song ' || (1 + (p * 3 + n) % {cat}) || ' of ' || (1 + (n - 1) % {a}), p
             FROM generate_series(1::bigint, {sh}) n, generate_series(1::bigint, {al}) p
             WHERE current_date + ((n * 7919) % 730 - 365)::int < current_date"
        )),
        ("users", format!(
            "INSERT INTO users (id, email, email_verified_at, display_name, created_at)
             SELECT scale.id(7, n), 'fan' || n || '@scale.example', now(), 'Fan ' || n, now() - random() * interval '2 years'
             FROM generate_series(1::bigint, {u}) n"
        )),
        ("follows", format!(
            "INSERT INTO user_follows_artists (user_id, artist_id, created_at)
             SELECT scale.id(7, n), scale.id(1, scale.zipf({a}, random())), now() - random() * interval '1 year'
             FROM generate_series(1::bigint, {u}) n, generate_series(1::bigint, {fpu}) k
             ON CONFLICT DO NOTHING"
        )),
        ("predictions", format!(
            "CREATE TABLE scale.predictions AS
             SELECT DISTINCT ON (show_n, user_n) n, show_n, user_n
             FROM (SELECT n, scale.zipf({sh}, random()) AS show_n, 1 + floor(random() * {u})::bigint AS user_n
                   FROM generate_series(1::bigint, {p}) n) x;
             INSERT INTO setlists (id, show_id, artist_id, kind, source, owner_user_id, accuracy_score, created_at)
             SELECT scale.id(9, n), scale.id(3, show_n), scale.id(1, 1 + (show_n - 1) % {a}), 'predicted', 'user',
                    scale.id(7, user_n),
                    CASE WHEN current_date + ((show_n * 7919) % 730 - 365)::int < current_date
                         THEN round((random() * 100)::numeric, 1)::float8 END,
                    now() - random() * interval '1 year'
             FROM scale.predictions;
             INSERT INTO setlist_songs (id, setlist_id, song_id, title, position, set_name)
             SELECT scale.id(11, n * 100 + q), scale.id(9, n), scale.id(10, (1 + (show_n - 1) % {a}) * 100 + 1 + (q * 7 + n) % {cat}),
                    'Song ' || (1 + (q * 7 + n) % {cat}), q, CASE WHEN q > {pl} - 3 THEN 'encore' ELSE 'main' END
             FROM scale.predictions, generate_series(1::bigint, {pl}) q"
        )),
        ("votes", format!(
            "INSERT INTO votes (id, user_id, setlist_song_id, value, created_at, updated_at)
             SELECT scale.id(12, n), scale.id(7, 1 + floor(random() * {u})::bigint),
                    scale.id(5, scale.zipf({sh}, random()) * 100 + scale.zipf({cl}, random())),
                    CASE WHEN random() < 0.8 THEN 1 ELSE -1 END, t, t
             FROM (SELECT n, now() - random() * interval '365 days' AS t FROM generate_series(1::bigint, {votes}) n) x
             ON CONFLICT DO NOTHING"
        )),
        ("vote clocks and mutation records", String::from(
            "-- Half the votes came through the sync push (clocks); the REST and push retries of the
             -- last 90 days are remembered (the rest were pruned).
             INSERT INTO vote_clocks (user_id, setlist_song_id, hlc)
             SELECT user_id, setlist_song_id, (extract(epoch FROM updated_at) * 1000)::bigint << 16
             FROM votes WHERE get_byte(uuid_send(id), 0) < 128;
             INSERT INTO applied_mutations (user_id, mutation_id, kind, outcome, applied_at)
             SELECT user_id, id, 'vote.set@1', '{\"outcome\": \"applied\", \"body\": {}}', updated_at FROM votes
             WHERE updated_at > now() - interval '90 days'"
        )),
        ("totals", String::from(
            "UPDATE setlist_songs l SET upvotes = t.up, downvotes = t.down, net_votes = t.up - t.down
             FROM (SELECT setlist_song_id, count(*) FILTER (WHERE value = 1)::int AS up,
                          count(*) FILTER (WHERE value = -1)::int AS down
                   FROM votes GROUP BY setlist_song_id) t
             WHERE l.id = t.setlist_song_id;
             -- As the verifications that scored these predictions would have left it.
             REFRESH MATERIALIZED VIEW leaderboard_all_time"
        )),
        ("a year of change log", String::from(
            "-- Each vote logged a `vote` change for its voter and a `line` change for the artist's
             -- followers, in time order; transaction ids spread below the current one (the feed
             -- serves only transactions older than every running one).
             CREATE TABLE scale.log AS
             SELECT row_number() OVER (ORDER BY v.updated_at, v.id) AS n, v.updated_at AS at,
                    v.user_id, v.setlist_song_id AS line, l.artist_id
             FROM votes v JOIN setlist_songs ls ON ls.id = v.setlist_song_id JOIN setlists l ON l.id = ls.setlist_id;
             INSERT INTO sync_changes (tx, seq, entity, entity_id, artist_id, user_id, at)
             SELECT (3 + (n * (pg_current_xact_id()::text::bigint - 100)) / (SELECT count(*) FROM scale.log))::text::xid8,
                    2 * n + k, CASE k WHEN 0 THEN 'vote' ELSE 'line' END, line,
                    CASE k WHEN 1 THEN artist_id END, CASE k WHEN 0 THEN user_id END, at
             FROM scale.log, (VALUES (0), (1)) ks(k);
             SELECT setval('sync_change_seq', (SELECT max(seq) FROM sync_changes) + 1);
             DROP TABLE scale.log"
        )),
    ]
}

/// Loads the dataset into `conn`'s (fresh, migrated) database, printing each step's time. `conn`
/// should be a session of its own (not a pooled one): triggers are off in it while it loads.
pub async fn load(conn: &mut PgConnection, size: &Size) -> sqlx::Result<()> {
    for setting in [
        "SET session_replication_role = replica",
        "SET synchronous_commit = off",
        "SET maintenance_work_mem = '1GB'",
        "SET work_mem = '256MB'",
    ] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(setting))
            .execute(&mut *conn)
            .await?;
    }
    let key = size.key();
    for (name, sql) in steps(size) {
        let started = Instant::now();
        let mut tx = conn.begin().await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await?;
        let seconds = started.elapsed().as_secs_f64();
        sqlx::query("INSERT INTO scale.meta (key, step, seconds) VALUES ($1, $2, $3)")
            .bind(&key)
            .bind(name)
            .bind(seconds)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        println!("  load: {name:<34} {seconds:>8.1} s");
    }
    let started = Instant::now();
    sqlx::raw_sql("VACUUM (ANALYZE)")
        .execute(&mut *conn)
        .await?;
    println!(
        "  load: {:<34} {:>8.1} s",
        "vacuum, analyze",
        started.elapsed().as_secs_f64()
    );
    sqlx::raw_sql("RESET session_replication_role")
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO scale.meta (key, step, seconds, detail) VALUES ($1, 'done', 0, NULL)")
        .bind(&key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Whether the database already holds this size's dataset, complete.
pub async fn loaded(conn: &mut PgConnection, size: &Size) -> bool {
    sqlx::query_scalar::<_, bool>(
        "SELECT EXISTS (SELECT 1 FROM scale.meta WHERE key = $1 AND step = 'done')",
    )
    .bind(size.key())
    .fetch_one(conn)
    .await
    .unwrap_or(false)
}

/// Row counts of the big tables, for the report.
pub async fn counts(conn: &mut PgConnection) -> sqlx::Result<Vec<(String, i64)>> {
    let mut out = Vec::new();
    for t in [
        "shows",
        "users",
        "votes",
        "setlist_songs",
        "sync_changes",
        "user_follows_artists",
        "applied_mutations",
    ] {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {t}")))
            .fetch_one(&mut *conn)
            .await?;
        out.push((t.to_owned(), n));
    }
    let lines: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM setlist_songs ls JOIN setlists l ON l.id = ls.setlist_id WHERE l.source = 'user'",
    )
    .fetch_one(&mut *conn)
    .await?;
    out.push(("prediction lines".to_owned(), lines));
    Ok(out)
}
