//! `r53guard-dns-eval`: measures the base64-label test, the tunnelling filter and the DGA scorer
//! on the evaluation data and prints Markdown tables. Run through `scripts/eval-dns.sh`.
//!
//! The DGA corpus is GPL-2.0 and is only read here, at run time, to measure; nothing from it is
//! trained on or written anywhere. The benign lists trained the shipped model, so the DGA part
//! also trains a second model on one half of the benign labels (split by FNV-1a hash of the
//! registrable label, so one label never sits on both sides) and measures false positives on
//! the other half.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use r53guard_dns::dga::synthetic::SplitMix64;
use r53guard_dns::dga::train::{TrainConfig, benign_labels, train};
use r53guard_dns::{
    DGA_DEFAULT_CUT, DgaModel, Payload, dga::builtin_model, find_base64_label, fnv1a,
    registrable_label, tunnel_label,
};

/// Evaluate the r53guard DNS heuristics and print Markdown tables.
#[derive(Parser, Debug)]
#[command(name = "r53guard-dns-eval")]
struct Args {
    /// Encoded-label positives (`encoding,domain` CSV).
    #[arg(long)]
    encoded: PathBuf,
    /// Benign domain list; repeat for several.
    #[arg(long, required = true)]
    benign: Vec<PathBuf>,
    /// Labelled DGA domains (`source_family,domain` CSV; evaluation only).
    #[arg(long)]
    dga: PathBuf,
    /// Seed of the held-out model's synthetic generator (as in training).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Held-out model: quantile of out-of-fold benign scores placed at the cut (as in training).
    #[arg(long)]
    cut_quantile: Option<f64>,
    /// Held-out model: SGD passes (experiments; default as in training).
    #[arg(long)]
    epochs: Option<usize>,
    /// Held-out model: log2 of the n-gram buckets (experiments).
    #[arg(long)]
    ngram_bits: Option<u32>,
    /// Held-out model: benign sample weight (experiments).
    #[arg(long)]
    benign_weight: Option<f64>,
    /// Held-out model: synthetic labels per benign label (experiments).
    #[arg(long)]
    synthetic_per_benign: Option<usize>,
    /// Held-out model: AdaGrad learning rate (experiments).
    #[arg(long)]
    learning_rate: Option<f64>,
    /// Held-out model: prune quantile of the benign labels (experiments).
    #[arg(long)]
    prune_quantile: Option<f64>,
    /// Held-out model: L2 penalty (experiments).
    #[arg(long)]
    l2: Option<f64>,
    /// Also print the base64 rows (`b64std`, `b64url`) that the test misses.
    #[arg(long)]
    show_missed: bool,
}

/// DGA families whose names are built from word or name lists, identified by inspecting their
/// samples (`thosedaughter`, `airassociateparentdumpfear`, `christianaenimdocent`,
/// `requirementsdirectly`, `xxzlestnessbiophysicalohax`, `winsoft62`, `dealerwholesalegroue`).
const DICTIONARY: &[&str] = &[
    "banjori", "charbot", "fosniw", "gozi", "matsnu", "nymaim2", "rovnix", "suppobox",
];
/// Families that alternate consonants and vowels or glue syllables (`pujycov`, `piliiaxat`,
/// `pitavats`, `imezocen-transupudumern`, `henatdo`, `giagkuekorla`).
const PRONOUNCEABLE: &[&str] = &["ngioweb", "pitou", "pushdo", "simda", "symmi", "vawtrak"];

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Random,
    Pronounceable,
    Dictionary,
}

impl Class {
    fn of(family: &str) -> Self {
        let short = family.rsplit('/').next().unwrap_or(family);
        if DICTIONARY.contains(&short) {
            Self::Dictionary
        } else if PRONOUNCEABLE.contains(&short) {
            Self::Pronounceable
        } else {
            Self::Random
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Random => "random",
            Self::Pronounceable => "pronounceable",
            Self::Dictionary => "dictionary",
        }
    }
}

/// Label-length ranges of the by-length table.
const LENGTHS: [(usize, usize); 7] = [
    (1, 5),
    (6, 7),
    (8, 9),
    (10, 11),
    (12, 15),
    (16, 20),
    (21, usize::MAX),
];

/// Which DGA classes a summary row counts.
type ClassFilter = fn(Class) -> bool;

/// Hits out of a total.
#[derive(Default, Clone, Copy)]
struct Rate {
    hits: usize,
    total: usize,
}

impl Rate {
    fn add(&mut self, hit: bool) {
        self.hits += usize::from(hit);
        self.total += 1;
    }

    fn merge(&mut self, other: Rate) {
        self.hits += other.hits;
        self.total += other.total;
    }

    fn show(self) -> String {
        if self.total == 0 {
            return "–".into();
        }
        format!(
            "{:.4} ({}/{})",
            self.hits as f64 / self.total as f64,
            self.hits,
            self.total
        )
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// CSV rows `first,rest` after the header.
fn csv_pairs(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.lines()
        .skip(1)
        .filter_map(|line| line.split_once(','))
        .map(|(a, b)| (a.trim(), b.trim()))
}

fn domains(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// Whether a labelled or benign domain scores above the default cut; domains are lower-cased
/// as detections.md §0 prescribes.
fn dga_hit(model: &DgaModel, domain: &str) -> bool {
    model.score(&domain.to_ascii_lowercase()) > DGA_DEFAULT_CUT
}

fn base64_section(encoded: &str, benign: &[(String, String)], dga: &str, show_missed: bool) {
    println!("## Base64 label (D9) and tunnelling filter (X3)\n");
    println!(
        "Rows match when any label left of the registrable domain passes. *text* is the strict \
         D9 recipe (≥ 70% printable); *text or binary* adds the mixed-case, high-entropy branch \
         for non-printable payloads (the default of `base64_label`). *eligible* = rows with a \
         label of ≥ 28 characters, the most the length rule lets through.\n"
    );
    println!(
        "| set | rows | eligible | base64: text or binary | base64: text only | tunnel_label |"
    );
    println!("|---|---|---|---|---|---|");
    let mut per_encoding: BTreeMap<&str, [Rate; 4]> = BTreeMap::new();
    let mut missed = Vec::new();
    for (encoding, domain) in csv_pairs(encoded) {
        let rates = per_encoding.entry(encoding).or_default();
        let subdomain_labels = r53guard_dns::subdomain(&domain.to_ascii_lowercase()).to_owned();
        rates[0].add(subdomain_labels.split('.').any(|l| l.len() >= 28));
        let found = find_base64_label(domain);
        rates[1].add(found.is_some());
        rates[2].add(found.is_some_and(|f| f.payload == Payload::Text));
        rates[3].add(tunnel_label(domain).is_some());
        if found.is_none() && encoding.starts_with("b64") {
            missed.push(format!("`{encoding}` `{domain}`"));
        }
    }
    for (encoding, rates) in &per_encoding {
        let note = if encoding.starts_with("b64") {
            ""
        } else {
            " (not base64)"
        };
        println!(
            "| `{encoding}`{note} | {} | {} | {} | {} | {} |",
            rates[0].total,
            rates[0].show(),
            rates[1].show(),
            rates[2].show(),
            rates[3].show()
        );
    }
    for (name, text) in benign {
        let mut rates = [Rate::default(); 3];
        for domain in domains(text) {
            let found = find_base64_label(domain);
            rates[0].add(found.is_some());
            rates[1].add(found.is_some_and(|f| f.payload == Payload::Text));
            rates[2].add(tunnel_label(domain).is_some());
        }
        println!(
            "| benign `{name}` (false positives) | {} | – | {} | {} | {} |",
            rates[0].total,
            rates[0].show(),
            rates[1].show(),
            rates[2].show()
        );
    }
    // DNS 0x20: a forwarding resolver may randomise the case of every letter of the name.
    let mut rng = SplitMix64::new(0x20);
    let mut rates = [Rate::default(); 3];
    for (_, text) in benign {
        for domain in domains(text) {
            let mixed: String = domain
                .chars()
                .map(|c| {
                    if rng.below(2) == 0 {
                        c.to_ascii_uppercase()
                    } else {
                        c.to_ascii_lowercase()
                    }
                })
                .collect();
            let found = find_base64_label(&mixed);
            rates[0].add(found.is_some());
            rates[1].add(found.is_some_and(|f| f.payload == Payload::Text));
            rates[2].add(tunnel_label(&mixed).is_some());
        }
    }
    println!(
        "| benign, both lists, letter case randomised (0x20) (false positives) | {} | – | {} | {} | {} |",
        rates[0].total,
        rates[0].show(),
        rates[1].show(),
        rates[2].show()
    );
    let mut rates = [Rate::default(); 3];
    for (_, domain) in csv_pairs(dga) {
        let found = find_base64_label(domain);
        rates[0].add(found.is_some());
        rates[1].add(found.is_some_and(|f| f.payload == Payload::Text));
        rates[2].add(tunnel_label(domain).is_some());
    }
    println!(
        "| DGA corpus (should not match) | {} | – | {} | {} | {} |\n",
        rates[0].total,
        rates[0].show(),
        rates[1].show(),
        rates[2].show()
    );
    if show_missed {
        println!("### Base64 rows missed ({})\n", missed.len());
        for row in &missed {
            println!("- {row}");
        }
        println!();
    }
}

/// Per-class recall and benign false positives of one model.
struct DgaMeasure {
    families: BTreeMap<String, Rate>,
    benign: Vec<Rate>,
}

fn measure(model: &DgaModel, dga: &str, benign: &[Vec<&str>]) -> DgaMeasure {
    let mut families: BTreeMap<String, Rate> = BTreeMap::new();
    for (family, domain) in csv_pairs(dga) {
        families
            .entry(family.to_owned())
            .or_default()
            .add(dga_hit(model, domain));
    }
    let benign = benign
        .iter()
        .map(|list| {
            let mut rate = Rate::default();
            for domain in list {
                rate.add(dga_hit(model, domain));
            }
            rate
        })
        .collect();
    DgaMeasure { families, benign }
}

impl DgaMeasure {
    fn class(&self, keep: impl Fn(Class) -> bool) -> Rate {
        let mut total = Rate::default();
        for (family, rate) in &self.families {
            if keep(Class::of(family)) {
                total.merge(*rate);
            }
        }
        total
    }

    fn benign_total(&self) -> Rate {
        let mut total = Rate::default();
        self.benign.iter().for_each(|r| total.merge(*r));
        total
    }
}

fn dga_section(
    shipped: &DgaModel,
    dga: &str,
    benign: &[(String, String)],
    args: &Args,
) -> Result<(), String> {
    // Held-out split by registrable label.
    let in_training_half = |domain: &str| {
        registrable_label(&domain.to_ascii_lowercase())
            .is_some_and(|label| fnv1a(label).is_multiple_of(2))
    };
    let all_lists: Vec<Vec<&str>> = benign.iter().map(|(_, t)| domains(t).collect()).collect();
    let held_out_lists: Vec<Vec<&str>> = all_lists
        .iter()
        .map(|list| {
            list.iter()
                .copied()
                .filter(|d| !in_training_half(d))
                .collect()
        })
        .collect();
    let training_labels = benign_labels(
        all_lists
            .iter()
            .flatten()
            .copied()
            .filter(|d| in_training_half(d)),
    );
    let defaults = TrainConfig::default();
    let config = TrainConfig {
        seed: args.seed,
        cut_quantile: args.cut_quantile.unwrap_or(defaults.cut_quantile),
        epochs: args.epochs.unwrap_or(defaults.epochs),
        ngram_bits: args.ngram_bits.unwrap_or(defaults.ngram_bits),
        benign_weight: args.benign_weight.unwrap_or(defaults.benign_weight),
        synthetic_per_benign: args
            .synthetic_per_benign
            .unwrap_or(defaults.synthetic_per_benign),
        learning_rate: args.learning_rate.unwrap_or(defaults.learning_rate),
        l2: args.l2.unwrap_or(defaults.l2),
        prune_quantile: args.prune_quantile.unwrap_or(defaults.prune_quantile),
        ..defaults
    };
    let half = DgaModel::from_file(train(&training_labels, &config)).map_err(|e| e.to_string())?;

    let full = measure(shipped, dga, &all_lists);
    let held = measure(&half, dga, &held_out_lists);

    println!("## DGA score (X2), default cut {DGA_DEFAULT_CUT}\n");
    println!(
        "*shipped*: `data/dga-model.json` (trained on both benign lists whole, so its benign \
         rates are in-sample). *held-out*: the same training on the benign labels whose FNV-1a \
         hash is even ({} labels), measured on the domains of the other half.\n",
        training_labels.len()
    );
    println!("| measure | shipped | held-out |");
    println!("|---|---|---|");
    let classes: [(&str, ClassFilter); 5] = [
        ("recall, non-dictionary families", |c| {
            c != Class::Dictionary
        }),
        ("recall, random-character families", |c| c == Class::Random),
        ("recall, pronounceable families", |c| {
            c == Class::Pronounceable
        }),
        ("recall, dictionary families", |c| c == Class::Dictionary),
        ("recall, all families", |_| true),
    ];
    for (label, keep) in classes {
        println!(
            "| {label} | {} | {} |",
            full.class(keep).show(),
            held.class(keep).show()
        );
    }
    for (i, (name, _)) in benign.iter().enumerate() {
        println!(
            "| false positives, `{name}` | {} | {} |",
            full.benign[i].show(),
            held.benign[i].show()
        );
    }
    println!(
        "| false positives, all benign | {} | {} |\n",
        full.benign_total().show(),
        held.benign_total().show()
    );

    println!("### Recall per family (shipped model)\n");
    println!("| family | class | rows | recall |");
    println!("|---|---|---|---|");
    for (family, rate) in &full.families {
        println!(
            "| {family} | {} | {} | {:.3} |",
            Class::of(family).name(),
            rate.total,
            rate.hits as f64 / rate.total.max(1) as f64
        );
    }
    println!();

    let mut false_positives: Vec<(f32, &str)> = held_out_lists
        .iter()
        .flatten()
        .map(|d| (half.score(&d.to_ascii_lowercase()), *d))
        .filter(|&(score, _)| score > DGA_DEFAULT_CUT)
        .collect();
    false_positives.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    println!(
        "### Held-out false positives (highest {} of {})\n",
        false_positives.len().min(60),
        false_positives.len()
    );
    let names: Vec<String> = false_positives
        .iter()
        .take(60)
        .map(|(_, d)| format!("`{d}`"))
        .collect();
    println!("{}\n", names.join(" "));

    println!("### Held-out model by registrable-label length, default cut\n");
    println!(
        "Why short labels are hard: per length, recall on the non-dictionary families and false \
         positives on the held-out benign domains.\n"
    );
    println!("| label length | recall, non-dictionary | benign false positives (held-out) |");
    println!("|---|---|---|");
    let bucket = |domain: &str| {
        let len = registrable_label(&domain.to_ascii_lowercase()).map_or(0, str::len);
        LENGTHS
            .iter()
            .position(|&(low, high)| (low..=high).contains(&len))
    };
    let mut by_length = [(Rate::default(), Rate::default()); LENGTHS.len()];
    for (family, domain) in csv_pairs(dga) {
        if Class::of(family) != Class::Dictionary
            && let Some(b) = bucket(domain)
        {
            by_length[b].0.add(dga_hit(&half, domain));
        }
    }
    for domain in held_out_lists.iter().flatten() {
        if let Some(b) = bucket(domain) {
            by_length[b].1.add(dga_hit(&half, domain));
        }
    }
    for (&(low, high), (recall, fp)) in LENGTHS.iter().zip(&by_length) {
        let range = if high == usize::MAX {
            format!("{low}+")
        } else {
            format!("{low}–{high}")
        };
        println!("| {range} | {} | {} |", recall.show(), fp.show());
    }
    println!();

    println!("### Trade-off of the held-out model\n");
    println!(
        "| cut | benign false positives (held-out) | recall, non-dictionary | recall, random-character |"
    );
    println!("|---|---|---|---|");
    let scored: Vec<(Class, f32)> = csv_pairs(dga)
        .map(|(family, domain)| (Class::of(family), half.score(&domain.to_ascii_lowercase())))
        .collect();
    let benign_scores: Vec<f32> = held_out_lists
        .iter()
        .flatten()
        .map(|d| half.score(&d.to_ascii_lowercase()))
        .collect();
    for cut in [0.05f32, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9] {
        let mut fp = Rate::default();
        benign_scores.iter().for_each(|&s| fp.add(s > cut));
        let mut non_dictionary = Rate::default();
        let mut random = Rate::default();
        for &(class, score) in &scored {
            if class != Class::Dictionary {
                non_dictionary.add(score > cut);
            }
            if class == Class::Random {
                random.add(score > cut);
            }
        }
        println!(
            "| {cut} | {} | {} | {} |",
            fp.show(),
            non_dictionary.show(),
            random.show()
        );
    }
    println!();
    Ok(())
}

fn run(args: &Args) -> Result<(), String> {
    let encoded = read(&args.encoded)?;
    let dga = read(&args.dga)?;
    let benign = args
        .benign
        .iter()
        .map(|p| Ok((file_name(p), read(p)?)))
        .collect::<Result<Vec<_>, String>>()?;
    let shipped = builtin_model().map_err(|e| e.to_string())?;
    println!("# r53guard-dns evaluation\n");
    base64_section(&encoded, &benign, &dga, args.show_missed);
    dga_section(shipped, &dga, &benign, args)
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
