//! The model: the inventory as read, the policy, and the results every renderer shares.

pub mod evidence;
pub mod guidance;
pub mod inventory;
pub mod platforms;
pub mod policy;
pub mod results;
pub mod schema;
pub mod types;

pub use inventory::*;
pub use policy::Policy;
pub mod handles;
pub mod load;
pub mod reader;
pub mod yaml;
pub mod yaml_fast;
pub mod yaml_tree;
