//! `Failure`: a client request that failed, as the client will see it — a
//! result code and a short reason. Handlers in logic_serv and chat_serv
//! return it; a failed call to another process converts into it.

use schat_proto::client::ResultCode;

use crate::rpc::CallError;

#[derive(Debug)]
pub struct Failure {
    pub code: ResultCode,
    pub reason: String,
}

impl Failure {
    pub fn new(code: ResultCode, reason: impl Into<String>) -> Failure {
        Failure {
            code,
            reason: reason.into(),
        }
    }

    pub fn bad_request(reason: impl Into<String>) -> Failure {
        Failure::new(ResultCode::BadRequest, reason)
    }

    pub fn forbidden(reason: impl Into<String>) -> Failure {
        Failure::new(ResultCode::Forbidden, reason)
    }
}

impl From<CallError> for Failure {
    fn from(err: CallError) -> Failure {
        Failure::new(err.code(), err.reason())
    }
}
