//! What a benchmark phase cost the machine, read from Linux's `/proc`: CPU
//! time of Batline's processes, PostgreSQL, RabbitMQ, the load generator
//! (this process) and the whole machine. A few fields of two files, read
//! by hand: the `procfs` crate would bring a dozen crates for them.

use std::{fs, time::Duration};

/// Linux reports CPU time in ticks of 1/100 s (`USER_HZ`).
const TICK: Duration = Duration::from_millis(10);

/// CPU ticks used so far, by whom.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cpu {
    /// `batline` processes (`batline up`, or its services run apart).
    pub batline: u64,
    /// PostgreSQL's processes, every database's.
    pub postgres: u64,
    /// RabbitMQ (its Erlang VM, `beam.smp`).
    pub rabbitmq: u64,
    /// This process: the load generator.
    pub load: u64,
    /// The whole machine, every process, idle excluded.
    pub machine: u64,
}

impl Cpu {
    /// Now.
    pub fn sample() -> Cpu {
        let mut cpu = Cpu { machine: machine_busy(), ..Cpu::default() };
        let me = std::process::id().to_string();
        let Ok(dir) = fs::read_dir("/proc") else { return cpu };
        for entry in dir.flatten() {
            let pid = entry.file_name().to_string_lossy().into_owned();
            if !pid.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
            let Some((name, ticks)) = name_and_ticks(&stat) else { continue };
            if pid == me {
                cpu.load += ticks;
            } else if name == "batline" {
                cpu.batline += ticks;
            } else if name.starts_with("postgres") {
                cpu.postgres += ticks;
            } else if name == "beam.smp" {
                cpu.rabbitmq += ticks;
            }
        }
        cpu
    }

    /// What was used between `self` and `later`.
    pub fn until(&self, later: &Cpu) -> Cpu {
        Cpu {
            batline: later.batline.saturating_sub(self.batline),
            postgres: later.postgres.saturating_sub(self.postgres),
            rabbitmq: later.rabbitmq.saturating_sub(self.rabbitmq),
            load: later.load.saturating_sub(self.load),
            machine: later.machine.saturating_sub(self.machine),
        }
    }

    /// "batline 5.1 ms, PostgreSQL 4.0 ms, …" per one of `items`.
    pub fn per(&self, items: u64) -> String {
        let ms =
            |ticks: u64| (TICK * u32::try_from(ticks).unwrap_or(u32::MAX)).as_secs_f64() * 1000.0 / items.max(1) as f64;
        format!(
            "Batline {:.2} ms, PostgreSQL {:.2} ms, RabbitMQ {:.2} ms (together {:.2} ms); the load generator {:.2} ms; \
             the whole machine {:.2} ms",
            ms(self.batline),
            ms(self.postgres),
            ms(self.rabbitmq),
            ms(self.batline + self.postgres + self.rabbitmq),
            ms(self.load),
            ms(self.machine)
        )
    }
}

/// A process's name and its user plus system ticks, from its `stat` line.
/// The name is in parentheses and may hold spaces or parentheses itself,
/// so the fields after it are counted from its last `)`.
fn name_and_ticks(stat: &str) -> Option<(&str, u64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat.get(open + 1..close)?;
    // After ")": state (field 3), …, utime (14), stime (15).
    let fields: Vec<&str> = stat.get(close + 1..)?.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((name, utime + stime))
}

/// Every core's ticks together, by kind, from `/proc/stat`'s `cpu` line:
/// user nice system idle iowait irq softirq steal …; none when unreadable.
fn all_cores_ticks() -> Vec<u64> {
    let Ok(stat) = fs::read_to_string("/proc/stat") else { return Vec::new() };
    let Some(line) = stat.lines().find(|l| l.starts_with("cpu ")) else { return Vec::new() };
    line.split_whitespace().skip(1).filter_map(|t| t.parse().ok()).collect()
}

/// Every core's busy ticks (all but idle and I/O wait).
fn machine_busy() -> u64 {
    all_cores_ticks().iter().enumerate().filter(|(i, _)| *i != 3 && *i != 4).map(|(_, t)| t).sum()
}

/// The position of `steal` on the `cpu` line.
const STEAL: usize = 7;

/// CPU ticks the hypervisor has taken from this virtual machine so far,
/// every core's (`steal`): time this machine's processes were ready to run
/// and could not.
pub fn stolen_ticks() -> u64 {
    all_cores_ticks().get(STEAL).copied().unwrap_or(0)
}

/// How long `ticks` of CPU time are.
pub fn ticks_to_ms(ticks: u64) -> f64 {
    ticks as f64 * TICK.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stat_line_is_read_past_a_name_with_spaces_and_parentheses() {
        let stat = "4242 (we (ird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 7 5 0 0 20 0 1 0 123 0 0";
        assert_eq!(name_and_ticks(stat), Some(("we (ird) name", 12)));
        assert_eq!(name_and_ticks("garbage"), None);
    }

    #[test]
    fn this_process_is_counted_as_the_load() {
        // A process's ticks and the machine's are kept by different
        // accounting (a process's from its exact run time, the machine's
        // sampled per tick), so over a few ticks either may lead by one or
        // two. Spin until this process has used a fifth of a second, and
        // compare with room for that rounding.
        let before = Cpu::sample();
        let give_up = std::time::Instant::now() + Duration::from_secs(20);
        let mut used = Cpu::default();
        while used.load < 20 && std::time::Instant::now() < give_up {
            for _ in 0..10_000 {
                std::hint::black_box(std::time::Instant::now());
            }
            used = before.until(&Cpu::sample());
        }
        assert!(used.load >= 20, "{used:?}");
        assert!(used.machine + 3 >= used.load, "{used:?}");
    }
}
