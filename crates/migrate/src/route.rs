//! Routes with their transmission times, and the placement of one chunk.

use crate::calendar::Slots;
use seamless_model::System;
use seamless_model::network::{Hop, Network};

/// What a transmission costs on each link: bandwidth, latency and the tick.
#[derive(Debug, Clone, Copy)]
pub struct LinkModel<'a> {
    /// The network whose links carry the transmissions.
    pub network: &'a Network,
    /// Nanoseconds per tick, to turn a link's bits per second into ticks.
    pub tick_ns: u64,
}

impl<'a> LinkModel<'a> {
    /// The link model of a system's network and tick.
    pub fn of(system: &'a System) -> LinkModel<'a> {
        LinkModel {
            network: &system.network,
            tick_ns: system.tick.ns,
        }
    }
    /// §1 transmission time of `bytes` on `link` (`u64::MAX` on overflow).
    pub fn tx(&self, link: usize, bytes: u64) -> u64 {
        self.network.tx_time(link, bytes, self.tick_ns)
    }
    /// The latency of `link`, in ticks.
    pub fn latency(&self, link: usize) -> u64 {
        self.network.links[link].latency
    }
}

/// A route: hops in order, with each hop's direction id and latency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The hops from source to destination, in order.
    pub hops: Vec<Hop>,
    /// Per hop, the dense id of the link direction it uses (see
    /// [`Hop::dir_id`]).
    pub dirs: Vec<usize>,
    /// Per hop, the latency of its link, in ticks.
    pub latency: Vec<u64>,
    /// Transmission time of one full chunk on each hop (cache).
    chunk_bytes: u64,
    chunk_tx: Vec<u64>,
}

impl Route {
    /// A route over the given hops; `chunk` is the usual chunk size (its
    /// transmission times are cached).
    pub fn new(model: &LinkModel, hops: &[Hop], chunk: u64) -> Route {
        Route {
            hops: hops.to_vec(),
            dirs: hops
                .iter()
                .map(|h| h.dir_id(&model.network.links))
                .collect(),
            latency: hops.iter().map(|h| model.latency(h.link)).collect(),
            chunk_bytes: chunk,
            chunk_tx: hops.iter().map(|h| model.tx(h.link, chunk)).collect(),
        }
    }

    /// The §3 route between two modules; `None` when they are the same or
    /// not connected.
    pub fn between(model: &LinkModel, a: usize, b: usize, chunk: u64) -> Option<Route> {
        let hops = model.network.route(a, b);
        if hops.is_empty() {
            None
        } else {
            Some(Route::new(model, &hops, chunk))
        }
    }

    /// The number of hops.
    pub fn len(&self) -> usize {
        self.hops.len()
    }
    /// Whether the route has no hop (source and destination are one module).
    pub fn is_empty(&self) -> bool {
        self.hops.is_empty()
    }

    /// Transmission time of `bytes` on hop `k`.
    pub fn tx(&self, model: &LinkModel, k: usize, bytes: u64) -> u64 {
        if bytes == self.chunk_bytes {
            self.chunk_tx[k]
        } else {
            model.tx(self.hops[k].link, bytes)
        }
    }

    /// Sum of the hops' latencies.
    pub fn total_latency(&self) -> u64 {
        self.latency.iter().sum()
    }

    /// The time one chunk of `bytes` takes end to end on idle links.
    pub fn idle_time(&self, model: &LinkModel, bytes: u64) -> u64 {
        (0..self.len())
            .map(|k| self.tx(model, k, bytes).saturating_add(self.latency[k]))
            .fold(0u64, u64::saturating_add)
    }

    /// The hop with the longest transmission time for `bytes` (the
    /// bottleneck on idle links); the first such hop on ties.
    pub fn bottleneck(&self, model: &LinkModel, bytes: u64) -> usize {
        let mut best = 0;
        for k in 1..self.len() {
            if self.tx(model, k, bytes) > self.tx(model, best, bytes) {
                best = k;
            }
        }
        best
    }
}

/// One hop of a placed chunk: direction `dir` busy for `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HopTime {
    /// The dense id of the link direction (see [`Hop::dir_id`]).
    pub dir: usize,
    /// When the hop's transmission starts, in ticks.
    pub start: u64,
    /// When it ends (exclusive), in ticks.
    pub end: u64,
}

/// A placed chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// The hops in route order, each with its busy interval.
    pub hops: Vec<HopTime>,
    /// End of the last hop plus its link's latency.
    pub arrival: u64,
    /// End of the hop leaving the source (the first hop).
    pub source_free: u64,
}

/// Lower bounds for one chunk's placement.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bounds<'b> {
    /// The first hop starts at or after this.
    pub depart: u64,
    /// The last hop (into the destination) starts at or after this; the
    /// chunk departs late enough for that (it is not parked in a switch).
    pub last_hop: u64,
    /// The previous chunk of the same stream: hop `k` starts no earlier than
    /// its hop `k` ended (chunks of one stream stay in order on every hop,
    /// so they arrive in order).
    pub after: Option<&'b [HopTime]>,
}

/// Fits a chunk of `bytes` over `route` at the earliest times the bounds
/// and the calendar allow, hop by hop: each hop exactly its transmission
/// time, starting no earlier than the previous hop's end plus that link's
/// latency, never overlapping busy time. Reserves nothing. `Err(dir)` names
/// a direction on which the hop can never fit (no free stretch that long, or
/// times overflow).
pub fn fit_chunk<S: Slots>(
    cal: &S,
    model: &LinkModel,
    route: &Route,
    bytes: u64,
    bounds: Bounds<'_>,
) -> Result<Placement, usize> {
    // A chunk never waits in a switch on purpose: when the last hop's bound
    // holds it back, the departure moves later instead (a switch forwards,
    // it does not park data).
    let mut depart = bounds.depart;
    for _ in 0..64 {
        let p = fit_from(cal, model, route, bytes, depart, bounds.after)?;
        let last = p.hops.last().map_or(0, |h| h.start);
        if last >= bounds.last_hop {
            return Ok(p);
        }
        depart = depart
            .checked_add(bounds.last_hop - last)
            .ok_or(route.dirs[0])?;
    }
    // not expected: each try moves the departure forward by the shortfall;
    // fall back to waiting at the last hop
    let mut p = fit_from(cal, model, route, bytes, depart, bounds.after)?;
    let k = route.len() - 1;
    let len = p.hops[k].end - p.hops[k].start;
    let start = cal
        .earliest_fit(route.dirs[k], bounds.last_hop.max(p.hops[k].start), len)
        .ok_or(route.dirs[k])?;
    p.hops[k] = HopTime {
        dir: route.dirs[k],
        start,
        end: start + len,
    };
    p.arrival = start + len + route.latency[k];
    Ok(p)
}

fn fit_from<S: Slots>(
    cal: &S,
    model: &LinkModel,
    route: &Route,
    bytes: u64,
    depart: u64,
    after: Option<&[HopTime]>,
) -> Result<Placement, usize> {
    fit_hops(cal, model, route, bytes, depart, after).map_err(|(k, _)| route.dirs[k])
}

/// [`fit_from`], reporting the hop that never fits and when it was ready.
fn fit_hops<S: Slots>(
    cal: &S,
    model: &LinkModel,
    route: &Route,
    bytes: u64,
    depart: u64,
    after: Option<&[HopTime]>,
) -> Result<Placement, (usize, u64)> {
    let n = route.len();
    let mut hops = Vec::with_capacity(n);
    let mut ready = depart;
    for k in 0..n {
        let dir = route.dirs[k];
        let len = route.tx(model, k, bytes);
        if len == u64::MAX {
            return Err((k, ready));
        }
        let mut from = ready;
        if let Some(prev) = after
            && let Some(p) = prev.get(k)
        {
            from = from.max(p.end);
        }
        let start = cal.earliest_fit(dir, from, len).ok_or((k, from))?;
        let end = start.checked_add(len).ok_or((k, from))?;
        hops.push(HopTime { dir, start, end });
        ready = end.checked_add(route.latency[k]).ok_or((k, from))?;
    }
    Ok(Placement {
        source_free: hops.first().map_or(depart, |h| h.end),
        arrival: ready,
        hops,
    })
}

/// The most bytes whose transmission on `link` takes at most `ticks`.
pub fn bytes_within(model: &LinkModel, link: usize, ticks: u64) -> u64 {
    let bw = u128::from(model.network.links[link].bandwidth);
    let v = u128::from(ticks) * bw * u128::from(model.tick_ns) / 8_000_000_000;
    u64::try_from(v).unwrap_or(u64::MAX)
}

/// [`fit_chunk`] for up to `max_bytes`, shrinking the chunk (never below
/// `min_bytes`) when a full one would wait on a hop for a free stretch
/// longer than the one there: a smaller chunk then uses that stretch.
/// Returns the placement and the chunk's size.
pub fn fit_chunk_adaptive<S: Slots>(
    cal: &S,
    model: &LinkModel,
    route: &Route,
    max_bytes: u64,
    min_bytes: u64,
    bounds: Bounds<'_>,
) -> Result<(Placement, u64), usize> {
    let mut b = max_bytes;
    let min_bytes = min_bytes.clamp(1, max_bytes.max(1));
    for _ in 0..6 {
        let p = match fit_chunk(cal, model, route, b, bounds) {
            Ok(p) => p,
            Err(dir) => {
                // a chunk this size never fits a hop: cut it to the first
                // free stretch there that holds at least `min_bytes`
                let Some(k) = route.dirs.iter().position(|&d| d == dir) else {
                    return Err(dir);
                };
                let ready = match fit_hops(cal, model, route, b, bounds.depart, bounds.after) {
                    Err((_, ready)) => ready,
                    Ok(_) => bounds.depart,
                };
                let link = route.hops[k].link;
                let t0 = cal
                    .earliest_fit(dir, ready, model.tx(link, min_bytes))
                    .ok_or(dir)?;
                let fits = bytes_within(model, link, cal.free_until(dir, t0).saturating_sub(t0));
                if fits >= min_bytes && fits < b {
                    b = fits;
                    continue;
                }
                return Err(dir);
            }
        };
        let mut shrink = None;
        for k in 0..route.len() {
            let mut ready = if k == 0 {
                bounds.depart
            } else {
                p.hops[k - 1].end + route.latency[k - 1]
            };
            if let Some(prev) = bounds.after
                && let Some(h) = prev.get(k)
            {
                ready = ready.max(h.end);
            }
            if k == 0 && bounds.last_hop > 0 {
                // the departure may have moved for the last hop's bound: not
                // a wait for a free stretch
                ready = ready.max(p.hops[0].start);
            }
            if p.hops[k].start > ready {
                let until = cal.free_until(route.dirs[k], ready);
                let fits = bytes_within(model, route.hops[k].link, until.saturating_sub(ready));
                if fits >= min_bytes && fits < b {
                    shrink = Some(fits);
                }
                break;
            }
        }
        match shrink {
            Some(s) => b = s,
            None => return Ok((p, b)),
        }
    }
    let p = fit_chunk(cal, model, route, b, bounds)?;
    Ok((p, b))
}

/// Reserves the hops of a placement.
pub fn reserve_chunk<S: Slots>(cal: &mut S, p: &Placement) {
    for h in &p.hops {
        cal.reserve(h.dir, h.start, h.end);
    }
}

/// [`fit_chunk`], then reserves the hops. `None` when a hop can never fit.
pub fn place_chunk<S: Slots>(
    cal: &mut S,
    model: &LinkModel,
    route: &Route,
    bytes: u64,
    bounds: Bounds<'_>,
) -> Option<Placement> {
    let p = fit_chunk(cal, model, route, bytes, bounds).ok()?;
    reserve_chunk(cal, &p);
    Some(p)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::calendar::LinkCalendar;
    use proptest::prelude::*;
    use seamless_model::network::{Link, Node};

    /// cm0 – sw – cm1 – plus cm2 on sw; links of `bw` bit/s and 5 ticks
    /// latency (tick 1us).
    pub fn star(bw: u64) -> Network {
        let nodes = vec![
            Node {
                name: "cm0".into(),
                module: Some(0),
            },
            Node {
                name: "cm1".into(),
                module: Some(1),
            },
            Node {
                name: "cm2".into(),
                module: Some(2),
            },
            Node {
                name: "sw".into(),
                module: None,
            },
        ];
        let links = (0..3)
            .map(|i| Link {
                a: i,
                b: 3,
                bandwidth: bw,
                latency: 5,
            })
            .collect();
        Network::new(nodes, links)
    }

    #[test]
    fn pipelines_over_two_hops() {
        let net = star(8_000_000); // 1 byte per us
        let m = LinkModel {
            network: &net,
            tick_ns: 1000,
        };
        let r = Route::between(&m, 0, 1, 100).unwrap();
        assert_eq!(r.len(), 2);
        let mut cal = LinkCalendar::new(net.directions());
        let a = place_chunk(
            &mut cal,
            &m,
            &r,
            100,
            Bounds {
                depart: 0,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(a.hops[0].start, 0);
        assert_eq!(a.hops[0].end, 100);
        assert_eq!(a.hops[1].start, 105);
        assert_eq!(a.arrival, 210);
        assert_eq!(a.source_free, 100);
        let b = place_chunk(
            &mut cal,
            &m,
            &r,
            100,
            Bounds {
                depart: a.source_free,
                after: Some(&a.hops),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(b.hops[0].start, 100);
        assert_eq!(b.hops[1].start, 205);
        assert_eq!(b.arrival, 310);
    }

    proptest! {
        /// Hops respect latency order, never overlap each other or busy time.
        #[test]
        fn chunks_respect_rules(
            busy in proptest::collection::vec((0usize..6, 0u64..2000, 1u64..200), 0..30),
            sizes in proptest::collection::vec(1u64..300, 1..25),
            depart in 0u64..500,
        ) {
            let net = star(8_000_000);
            let m = LinkModel { network: &net, tick_ns: 1000 };
            let r = Route::between(&m, 0, 2, 256).unwrap();
            let mut cal = LinkCalendar::new(net.directions());
            for &(d, s, l) in &busy {
                cal.add_busy(d, [(s, s + l)]);
            }
            let table = cal.clone();
            let mut all: Vec<HopTime> = Vec::new();
            let mut prev: Option<Placement> = None;
            for &b in &sizes {
                let p = place_chunk(&mut cal, &m, &r, b, Bounds {
                    depart: prev.as_ref().map_or(depart, |p| p.source_free),
                    last_hop: 0,
                    after: prev.as_ref().map(|p| p.hops.as_slice()),
                }).unwrap();
                prop_assert!(p.hops[0].start >= depart);
                for k in 0..p.hops.len() {
                    let h = p.hops[k];
                    prop_assert_eq!(h.end - h.start, b);
                    prop_assert!(table.is_free(h.dir, h.start, h.end));
                    if k > 0 {
                        prop_assert!(h.start >= p.hops[k - 1].end + r.latency[k - 1]);
                    }
                    for o in &all {
                        prop_assert!(o.dir != h.dir || o.end <= h.start || h.end <= o.start);
                    }
                }
                prop_assert_eq!(p.arrival, p.hops.last().unwrap().end + r.latency[r.len() - 1]);
                all.extend(p.hops.iter().copied());
                prev = Some(p);
            }
        }
    }
}
