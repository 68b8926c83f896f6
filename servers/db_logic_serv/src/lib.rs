//! db_logic_serv
