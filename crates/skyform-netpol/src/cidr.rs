//! IPv4 addresses and CIDR blocks, as NetworkPolicy `ipBlock`s use them.

/// An IPv4 block: network address and prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cidr {
    /// The network address (host bits cleared).
    pub net: u32,
    /// The prefix length, 0..=32.
    pub len: u32,
}

impl Cidr {
    /// Parses `a.b.c.d/len`; host bits are cleared. `None` for anything else.
    pub fn parse(s: &str) -> Option<Cidr> {
        let (ip, len) = s.split_once('/')?;
        let len: u32 = len.parse().ok().filter(|l| *l <= 32)?;
        let ip = parse_ipv4(ip)?;
        Some(Cidr { net: ip & mask(len), len })
    }

    /// The netmask of the block.
    pub fn mask(self) -> u32 {
        mask(self.len)
    }

    /// Whether `ip` lies in the block.
    pub fn contains(self, ip: u32) -> bool {
        ip & self.mask() == self.net
    }

    /// The first and last address of the block.
    pub fn range(self) -> (u32, u32) {
        (self.net, self.net | !self.mask())
    }
}

fn mask(len: u32) -> u32 {
    if len == 0 { 0 } else { u32::MAX << (32 - len) }
}

/// Parses dotted IPv4 text (exactly four decimal octets).
pub fn parse_ipv4(s: &str) -> Option<u32> {
    let mut parts = s.split('.');
    let mut v: u32 = 0;
    for _ in 0..4 {
        let octet: u8 = parts.next()?.parse().ok()?;
        v = (v << 8) | u32::from(octet);
    }
    parts.next().is_none().then_some(v)
}

/// Dotted text of an IPv4 address.
pub fn ipv4_text(ip: u32) -> String {
    std::net::Ipv4Addr::from(ip).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_contain() {
        let ten = Cidr::parse("10.0.0.0/8").unwrap_or(Cidr { net: 1, len: 32 });
        assert!(ten.contains(parse_ipv4("10.244.0.10").unwrap_or(0)));
        assert!(!ten.contains(parse_ipv4("11.0.0.1").unwrap_or(0)));
        assert!(Cidr::parse("0.0.0.0/0").is_some_and(|c| c.contains(12345) && c.range() == (0, u32::MAX)));
        assert_eq!(Cidr::parse("203.0.113.7/24"), Some(Cidr { net: 0xcb00_7100, len: 24 }));
        assert_eq!(Cidr::parse("10.1.2.3/32").map(Cidr::range), Some((0x0a01_0203, 0x0a01_0203)));
        for bad in ["1.2.3.4/33", "1.2.3/8", "1.2.3.4.5/8", "256.0.0.0/8", "1.2.3.4", "a.b.c.d/1", "1.2.3.4/-1"] {
            assert_eq!(Cidr::parse(bad), None, "{bad}");
        }
        assert_eq!(ipv4_text(0xa9fe_a9fe), "169.254.169.254");
    }
}
