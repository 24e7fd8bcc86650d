//! OAuth 2.0 scopes of the management API, as data: each route declares the one Okta requires.

/// OAuth 2.0 scopes of the management API, as the spec lists them per operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    UsersRead,
    UsersManage,
    GroupsRead,
    GroupsManage,
    AppsRead,
    AppsManage,
    PoliciesRead,
    PoliciesManage,
    RealmsRead,
    RealmsManage,
    LogsRead,
    EventHooksRead,
    EventHooksManage,
    UserTypesRead,
}

impl Scope {
    pub const ALL: [Scope; 14] = [
        Scope::UsersRead,
        Scope::UsersManage,
        Scope::GroupsRead,
        Scope::GroupsManage,
        Scope::AppsRead,
        Scope::AppsManage,
        Scope::PoliciesRead,
        Scope::PoliciesManage,
        Scope::RealmsRead,
        Scope::RealmsManage,
        Scope::LogsRead,
        Scope::EventHooksRead,
        Scope::EventHooksManage,
        Scope::UserTypesRead,
    ];

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::UsersRead => "okta.users.read",
            Scope::UsersManage => "okta.users.manage",
            Scope::GroupsRead => "okta.groups.read",
            Scope::GroupsManage => "okta.groups.manage",
            Scope::AppsRead => "okta.apps.read",
            Scope::AppsManage => "okta.apps.manage",
            Scope::PoliciesRead => "okta.policies.read",
            Scope::PoliciesManage => "okta.policies.manage",
            Scope::RealmsRead => "okta.realms.read",
            Scope::RealmsManage => "okta.realms.manage",
            Scope::LogsRead => "okta.logs.read",
            Scope::EventHooksRead => "okta.eventHooks.read",
            Scope::EventHooksManage => "okta.eventHooks.manage",
            Scope::UserTypesRead => "okta.userTypes.read",
        }
    }
}
